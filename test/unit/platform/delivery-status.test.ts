import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STATUS_RANK, supersedes, type StatusReport } from '../../../platform/db/delivery-status';
import type { DeliveryStatus } from '../../../platform/db/schema';

const at = (second: number) => new Date(Date.UTC(2030, 0, 1, 9, 0, second));
const report = (status: DeliveryStatus, second: number): StatusReport => ({ status, at: at(second) });
const STATUSES = Object.keys(STATUS_RANK) as DeliveryStatus[];

/** The status the ledger ends with when the reports arrive in this order. */
function settle(reports: StatusReport[]): DeliveryStatus | null {
  let recorded: StatusReport | null = null;
  for (const incoming of reports) if (supersedes(incoming, recorded)) recorded = incoming;
  return recorded?.status ?? null;
}

describe('delivery status precedence', () => {
  it('takes the first report when none is recorded', () => {
    for (const status of STATUSES) assert.equal(supersedes(report(status, 1), null), true, status);
  });

  it('keeps a failure when an older delivered report arrives after it', () => {
    assert.equal(supersedes(report('delivered', 1), report('failed', 2)), false);
    assert.equal(settle([report('failed', 2), report('delivered', 1)]), 'failed');
  });

  it('lets a newer report replace an older one: a soft bounce, then the retried delivery', () => {
    assert.equal(supersedes(report('delivered', 5), report('bounced', 2)), true);
    assert.equal(settle([report('bounced', 2), report('delivered', 5)]), 'delivered');
  });

  it('lets the worse of two reports at the same instant win, whichever arrives first', () => {
    for (const better of STATUSES)
      for (const worse of STATUSES.filter((status) => STATUS_RANK[status] > STATUS_RANK[better])) {
        assert.equal(settle([report(better, 3), report(worse, 3)]), worse, `${better} then ${worse}`);
        assert.equal(settle([report(worse, 3), report(better, 3)]), worse, `${worse} then ${better}`);
      }
  });

  it('lets a complaint win over every other report, older or newer', () => {
    for (const status of STATUSES.filter((status) => status !== 'complained')) {
      assert.equal(supersedes(report(status, 9), report('complained', 1)), false, status);
      assert.equal(supersedes(report('complained', 1), report(status, 9)), true, status);
    }
  });

  it('does not rewrite a status with a repeat of the same report', () => {
    for (const status of STATUSES) assert.equal(supersedes(report(status, 4), report(status, 4)), false, status);
  });

  it('ends with the same status whatever order the same reports arrive in', () => {
    const reports = [report('delivered', 1), report('bounced', 2), report('delivered', 2), report('failed', 0)];
    const orders = permutations(reports).map(settle);
    assert.equal(new Set(orders).size, 1, `outcomes: ${[...new Set(orders)].join(', ')}`);
    assert.equal(orders[0], 'bounced', 'the newest report, and of the two newest the worse');
    const complained = permutations([...reports.slice(0, 3), report('complained', 1)]).map(settle);
    assert.deepEqual([...new Set(complained)], ['complained']);
  });
});

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}
