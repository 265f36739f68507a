import ttest2 from '@stdlib/stats-ttest2';

/**
 * What a campaign's treatment earns over its holdout (docs/EXPERIMENTS.md#the-report): the
 * difference in conversion rate and in revenue per entered journey, each with the 95% interval of
 * a Welch two-sample t-test on per-journey values, when both groups are large enough to say.
 */

/** Fewer journeys than this in a group, and the report gives no lift. */
export const MIN_JOURNEYS = 30;
/** Fewer conversions or non-conversions than this in a group (n·p or n·(1−p) < 5), and no lift. */
export const MIN_OUTCOMES = 5;

export interface GroupSample {
  /** How a note names the group: "the treatment", "the holdout", "variant B". */
  name: string;
  entered: number;
  converted: number;
  /** By currency: the revenue of each journey that has some in it; every other journey has none. */
  revenue: Record<string, number[]>;
}

export interface Difference {
  difference: number;
  /** The 95% confidence interval of the difference; null when the data cannot give one (no variance). */
  ci95: [number, number] | null;
}

export interface Lift {
  /** Treatment rate minus holdout rate (absolute, in rate units), and treatment ÷ holdout − 1. */
  conversionRate: Difference & { relative: number | null };
  /** Per currency: the difference in revenue per entered journey. */
  revenuePerJourney: Record<string, Difference>;
}

export type LiftEstimate = { lift: Lift; note: null } | { lift: null; note: string };

export function estimateLift(
  treated: GroupSample,
  holdout: GroupSample,
  options: { holdoutShare: number },
): LiftEstimate {
  if (holdout.entered === 0 && options.holdoutShare === 0)
    return { lift: null, note: 'no holdout: the campaign holds out no one (holdout 0), so lift cannot be measured' };
  const tooSmall = [holdout, treated].map(whyTooSmall).find((reason) => reason !== null);
  if (tooSmall) return { lift: null, note: tooSmall };

  const conversion = welch(indicators(treated), indicators(holdout));
  const treatedRate = treated.converted / treated.entered;
  const holdoutRate = holdout.converted / holdout.entered;
  const currencies = [...new Set([...Object.keys(treated.revenue), ...Object.keys(holdout.revenue)])].sort();
  return {
    lift: {
      conversionRate: { ...conversion, relative: treatedRate / holdoutRate - 1 },
      revenuePerJourney: Object.fromEntries(
        currencies.map((currency) => [currency, welch(perJourney(treated, currency), perJourney(holdout, currency))]),
      ),
    },
    note: null,
  };
}

function whyTooSmall(group: GroupSample): string | null {
  const journeys = `${group.entered} ${group.entered === 1 ? 'journey' : 'journeys'}`;
  if (group.entered < MIN_JOURNEYS)
    return `${group.name} has ${journeys}; at least ${MIN_JOURNEYS} are needed to estimate lift`;
  const nonConversions = group.entered - group.converted;
  if (group.converted < MIN_OUTCOMES || nonConversions < MIN_OUTCOMES)
    return (
      `${group.name} has ${group.converted} conversions among ${journeys}; at least ${MIN_OUTCOMES} conversions ` +
      `and ${MIN_OUTCOMES} non-conversions are needed to estimate lift`
    );
  return null;
}

/** 1 for each converted journey, 0 for every other. */
function indicators(group: GroupSample): Float64Array {
  return new Float64Array(group.entered).fill(1, 0, group.converted);
}

function perJourney(group: GroupSample, currency: string): Float64Array {
  const values = new Float64Array(group.entered);
  values.set(group.revenue[currency] ?? []);
  return values;
}

function welch(treated: Float64Array, holdout: Float64Array): Difference {
  const result = ttest2(treated, holdout, { alpha: 0.05, variance: 'unequal' });
  const [low, high] = result.ci;
  const interval = low !== undefined && high !== undefined && Number.isFinite(low) && Number.isFinite(high);
  return { difference: result.xmean - result.ymean, ci95: interval ? [low, high] : null };
}
