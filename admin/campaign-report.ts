import type { CohortCounts } from '../platform/db/campaign-report';
import type { TreatmentGroup } from '../platform/db/schema';
import { estimateLift, type GroupSample } from '../platform/experiments/lift';
import type { ReportRow } from './report-schemas';

/** Turns the report's counts into its rows, each group and variant with its lift over the holdout. */

type Counts = Omit<CohortCounts, 'variant'>;

const EMPTY: Omit<Counts, 'group'> = {
  entered: 0,
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  heldOut: 0,
  converted: 0,
  revenue: {},
  ordersWithoutRevenue: 0,
  revenueByJourney: {},
};

export function reportRows(
  counts: CohortCounts[],
  options: { holdoutShare: number; step?: string; variant?: string; knownVariants: readonly string[] },
) {
  const group = (name: TreatmentGroup) =>
    counts.filter((row) => row.group === name).reduce(add, { ...EMPTY, group: name });
  const treatment = group('treatment');
  const holdout = group('holdout');
  const lift = estimateLift(sample('the treatment', treatment), sample('the holdout', holdout), options);

  const variants =
    options.step === undefined
      ? null
      : (options.variant !== undefined
          ? [options.variant]
          : [...new Set([...options.knownVariants, ...counts.flatMap((row) => row.variant ?? [])])].sort()
        ).map((name) => {
          const counted = counts.find((row) => row.group === 'treatment' && row.variant === name);
          const own = counted ?? { ...EMPTY, group: 'treatment' as const };
          const versus = estimateLift(sample(`variant ${name}`, own), sample('the holdout', holdout), options);
          return { ...view(own, name), ...versus };
        });
  return { groups: [view(treatment, null), view(holdout, null)], ...lift, variants };
}

function add(total: Counts, row: Counts): Counts {
  const revenue = { ...total.revenue };
  for (const [currency, amount] of Object.entries(row.revenue))
    revenue[currency] = addDecimals(revenue[currency] ?? '0.00', amount);
  const revenueByJourney = { ...total.revenueByJourney };
  for (const [currency, list] of Object.entries(row.revenueByJourney))
    revenueByJourney[currency] = [...(revenueByJourney[currency] ?? []), ...list];
  return {
    group: total.group,
    entered: total.entered + row.entered,
    sent: total.sent + row.sent,
    delivered: total.delivered + row.delivered,
    opened: total.opened + row.opened,
    clicked: total.clicked + row.clicked,
    heldOut: total.heldOut + row.heldOut,
    converted: total.converted + row.converted,
    revenue,
    ordersWithoutRevenue: total.ordersWithoutRevenue + row.ordersWithoutRevenue,
    revenueByJourney,
  };
}

/** Sums two amounts of numeric(14,2) text ("123.40") exactly, in cents. */
function addDecimals(a: string, b: string): string {
  const cents = (amount: string) => BigInt(Math.round(Number(amount) * 100));
  const sum = cents(a) + cents(b);
  const whole = sum / 100n;
  const rest = (sum % 100n).toString().padStart(2, '0');
  return `${whole}.${rest}`;
}

function sample(name: string, counts: Counts): GroupSample {
  return { name, entered: counts.entered, converted: counts.converted, revenue: counts.revenueByJourney };
}

function view(counts: Counts, variant: string | null): ReportRow {
  const { revenueByJourney: _perJourney, ...rest } = counts;
  return {
    ...rest,
    variant,
    conversionRate: counts.entered === 0 ? null : counts.converted / counts.entered,
  };
}
