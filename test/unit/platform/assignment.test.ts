import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign, uniformHash, type ExperimentPlan } from '../../../platform/experiments/assignment';

const plan: ExperimentPlan = {
  holdout: 0.1,
  assignmentSalt: 'v1',
  variants: {
    'reminder-1': [
      { name: 'A', weight: 3 },
      { name: 'B', weight: 1 },
    ],
  },
};

/** Within four standard deviations of a binomial count: a check that fails on a biased hash, not on chance. */
function assertNear(count: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(count - n * p) < 4 * sd, `${what}: ${count} of ${n}, expected about ${Math.round(n * p)}`);
}

describe('experiment assignment', () => {
  it('holds out the configured share and deals variants by weight', () => {
    const n = 20_000;
    const dealt = Array.from({ length: n }, (_, i) => assign('cart-abandonment', `customer-${i}`, plan));
    const heldOut = dealt.filter((d) => d.group === 'holdout').length;
    assertNear(heldOut, n, 0.1, 'held out');
    const treated = dealt.filter((d) => d.group === 'treatment');
    assertNear(treated.filter((d) => d.variants['reminder-1'] === 'B').length, treated.length, 0.25, 'variant B');
    assert.ok(dealt.filter((d) => d.group === 'holdout').every((d) => Object.keys(d.variants).length === 0));
  });

  it('is the same for the same customer, and independent between campaigns and salts', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `c-${i}`);
    const group = (campaign: string, salt: string) =>
      ids.map((id) => assign(campaign, id, { ...plan, assignmentSalt: salt }).group);
    assert.deepEqual(group('cart-abandonment', 'v1'), group('cart-abandonment', 'v1'));
    const bothHeld = (a: string[], b: string[]) => a.filter((g, i) => g === 'holdout' && b[i] === 'holdout').length;
    // Independent deals hold out about 1% of customers in both (10% × 10%), not 10%.
    assertNear(bothHeld(group('cart-abandonment', 'v1'), group('browse-abandonment', 'v1')), ids.length, 0.01, 'both');
    assertNear(bothHeld(group('cart-abandonment', 'v1'), group('cart-abandonment', 'v2')), ids.length, 0.01, 'salts');
  });

  it('holds out nobody at 0 and spreads its hash over [0, 1)', () => {
    assert.ok(
      Array.from({ length: 1_000 }, (_, i) => assign('x', `${i}`, { ...plan, holdout: 0 })).every(
        (d) => d.group === 'treatment',
      ),
    );
    const values = Array.from({ length: 10_000 }, (_, i) => uniformHash('s', `${i}`));
    assert.ok(values.every((u) => u >= 0 && u < 1));
    for (let decile = 0; decile < 10; decile += 1)
      assertNear(values.filter((u) => Math.floor(u * 10) === decile).length, values.length, 0.1, `decile ${decile}`);
  });
});
