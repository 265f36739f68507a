import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateLift, type GroupSample } from '../../../platform/experiments/lift';

/**
 * The Welch interval by the textbook: the sample variances, the Welch–Satterthwaite degrees of
 * freedom, and the t quantile from the normal one by the Cornish–Fisher expansion (Abramowitz and
 * Stegun 26.7.5), which is exact to well under 1e-6 at the degrees of freedom used here.
 */
function textbookWelch(x: number[], y: number[]): { difference: number; ci95: [number, number] } {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = (values: number[]) => {
    const m = mean(values);
    return values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1);
  };
  const vx = variance(x) / x.length;
  const vy = variance(y) / y.length;
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  const z = 1.959963984540054;
  const t =
    z +
    (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3);
  const difference = mean(x) - mean(y);
  const half = t * Math.sqrt(vx + vy);
  return { difference, ci95: [difference - half, difference + half] };
}

const zerosAndOnes = (entered: number, converted: number) =>
  Array.from({ length: entered }, (_, index) => (index < converted ? 1 : 0));
const padded = (values: number[], length: number) => [...values, ...new Array<number>(length - values.length).fill(0)];
const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 5e-5, `${what}: ${actual} vs ${expected}`);

const group = (name: string, entered: number, converted: number, revenue: Record<string, number[]> = {}) =>
  ({ name, entered, converted, revenue }) satisfies GroupSample;

describe('lift of a treatment over its holdout', () => {
  it('gives the conversion lift and its 95% interval as the textbook Welch interval (1800/216 vs 200/16)', () => {
    const estimate = estimateLift(group('the treatment', 1800, 216), group('the holdout', 200, 16), {
      holdoutShare: 0.1,
    });
    assert.equal(estimate.note, null);
    const expected = textbookWelch(zerosAndOnes(1800, 216), zerosAndOnes(200, 16));
    const { conversionRate } = estimate.lift;
    near(conversionRate.difference, 0.04, 'difference');
    near(expected.difference, 0.04, 'textbook difference');
    near(conversionRate.ci95![0], expected.ci95[0], 'lower bound');
    near(conversionRate.ci95![1], expected.ci95[1], 'upper bound');
    near(conversionRate.relative!, 0.12 / 0.08 - 1, 'relative lift');
    assert.ok(conversionRate.ci95![0] < 0 && conversionRate.ci95![1] > 0.08, JSON.stringify(conversionRate));
  });

  it('gives revenue per journey by currency, never summed across currencies', () => {
    const treatedEur = Array.from({ length: 40 }, (_, index) => 20 + (index % 7) * 5);
    const holdoutEur = Array.from({ length: 6 }, (_, index) => 30 + index * 3);
    const estimate = estimateLift(
      group('the treatment', 400, 45, { EUR: treatedEur, USD: [100, 50, 75, 10, 20] }),
      group('the holdout', 60, 6, { EUR: holdoutEur }),
      { holdoutShare: 0.1 },
    );
    const revenue = estimate.lift!.revenuePerJourney;
    assert.deepEqual(Object.keys(revenue), ['EUR', 'USD']);
    for (const [currency, treated, held] of [
      ['EUR', treatedEur, holdoutEur],
      ['USD', [100, 50, 75, 10, 20], []],
    ] as const) {
      const expected = textbookWelch(padded([...treated], 400), padded([...held], 60));
      near(revenue[currency]!.difference, expected.difference, `${currency} difference`);
      near(revenue[currency]!.ci95![0], expected.ci95[0], `${currency} lower bound`);
      near(revenue[currency]!.ci95![1], expected.ci95[1], `${currency} upper bound`);
    }
  });

  it('says which group is too small and why, instead of a lift', () => {
    const cases: Array<[GroupSample, GroupSample, string]> = [
      [
        group('the treatment', 500, 50),
        group('the holdout', 12, 3),
        'the holdout has 12 journeys; at least 30 are needed to estimate lift',
      ],
      [
        group('variant B', 29, 10),
        group('the holdout', 100, 20),
        'variant B has 29 journeys; at least 30 are needed to estimate lift',
      ],
      [
        group('the treatment', 500, 50),
        group('the holdout', 100, 4),
        'the holdout has 4 conversions among 100 journeys; at least 5 conversions and 5 non-conversions are needed ' +
          'to estimate lift',
      ],
      [
        group('the treatment', 40, 36),
        group('the holdout', 100, 20),
        'the treatment has 36 conversions among 40 journeys; at least 5 conversions and 5 non-conversions are ' +
          'needed to estimate lift',
      ],
    ];
    for (const [treated, holdout, note] of cases)
      assert.deepEqual(estimateLift(treated, holdout, { holdoutShare: 0.1 }), { lift: null, note });
  });

  it('says a campaign that holds out no one cannot measure lift', () => {
    assert.deepEqual(estimateLift(group('the treatment', 500, 50), group('the holdout', 0, 0), { holdoutShare: 0 }), {
      lift: null,
      note: 'no holdout: the campaign holds out no one (holdout 0), so lift cannot be measured',
    });
    assert.match(
      estimateLift(group('the treatment', 500, 50), group('the holdout', 0, 0), { holdoutShare: 0.1 }).note!,
      /^the holdout has 0 journeys/,
    );
  });

  it('gives a lift at the smallest groups it accepts (30 journeys, 5 conversions, 5 non-conversions)', () => {
    const estimate = estimateLift(group('the treatment', 30, 25), group('the holdout', 30, 5), { holdoutShare: 0.5 });
    assert.equal(estimate.note, null);
    near(estimate.lift.conversionRate.difference, 20 / 30, 'difference');
  });
});
