import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExpectedMessage } from '../../../tools/fuzz/model';
import { judgeCustomer, type Received } from '../../../tools/fuzz/verdict';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const expected = (
  step: string,
  expectation: ExpectedMessage['expectation'],
  why: ExpectedMessage['why'],
  extra: Partial<ExpectedMessage> = {},
): ExpectedMessage => ({
  campaign: 'cart-abandonment',
  step,
  channel: 'email',
  expectation,
  why,
  dueAt: T0,
  dueSpreadMs: 0,
  window: { lo: T0, hi: T0 + 2_000 },
  ...extra,
});
const got = (step: string | null, atS: number, id = `${step}-${atS}`, contactS = atS): Received => ({
  channel: 'email',
  id,
  at: T0 + atS * 1000,
  campaign: step ? 'cart-abandonment' : null,
  step,
  contactAt: T0 + contactS * 1000,
});

describe('the fuzzer verdict for one customer', () => {
  it('counts a must that never came as missing, and nothing for a may', () => {
    const verdict = judgeCustomer(
      [expected('reminder-1', 'must', 'planned'), expected('final', 'may', 'exit race')],
      [],
      2_000,
    );
    assert.deepEqual(verdict.violations, {
      duplicates: 0,
      afterExit: 0,
      withoutConsent: 0,
      unplanned: 0,
      capViolations: 0,
      missing: 1,
    });
  });

  it('counts one message twice (one ID, or two for one step) as duplicates', () => {
    const plan = [expected('reminder-1', 'must', 'planned')];
    assert.equal(
      judgeCustomer(plan, [got('reminder-1', 6, 'a'), got('reminder-1', 6.1, 'a')], 2_000).violations.duplicates,
      1,
    );
    assert.equal(
      judgeCustomer(plan, [got('reminder-1', 6, 'a'), got('reminder-1', 9, 'b')], 2_000).violations.duplicates,
      1,
    );
  });

  it('a must-not after an exit is after the exit only if it arrived after the exit was published', () => {
    const plan = [expected('reminder-2', 'mustNot', 'after exit', { exitPublishedAt: T0 + 10_000 })];
    assert.equal(judgeCustomer(plan, [got('reminder-2', 12)], 2_000).violations.afterExit, 1);
    const early = judgeCustomer(plan, [got('reminder-2', 8)], 2_000);
    assert.deepEqual([early.violations.afterExit, early.violations.unplanned], [0, 1]);
    assert.match(early.problems[0]!, /before the exit was published/);
  });

  it('names consent and unidentified messages, and two contacts inside the cap window', () => {
    const plan = [expected('reminder-1', 'mustNot', 'no consent'), expected('final', 'must', 'planned')];
    const verdict = judgeCustomer(plan, [got('reminder-1', 6), got(null, 7), got('final', 20, 'f', 7.5)], 2_000);
    assert.deepEqual(
      [verdict.violations.withoutConsent, verdict.violations.unplanned, verdict.violations.capViolations],
      [1, 1, 2],
    );
  });
});
