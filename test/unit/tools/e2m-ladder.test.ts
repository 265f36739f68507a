import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { climbLadder } from '../../../tools/bench/e2m-ladder';
import type { EventToMessageResult } from '../../../tools/bench/event-to-message';
import { sustainedRate } from '../../../tools/bench/report';
import { percentiles } from '../../../tools/bench/stats';

/** A code version whose event → email p99 stays within 1 s up to `limit` events per second. */
const codeSustaining = (limit: number, offered: number[]) => (rate: number) => {
  offered.push(Math.round(rate * 100) / 100);
  const p99 = rate <= limit ? 400 : 2_500;
  const result: EventToMessageResult = {
    label: 'now',
    offeredPerSecond: rate,
    events: 20,
    delivered: 20,
    duplicates: 0,
    eventToMessageMs: percentiles([p99]),
    cpuSeconds: { worker: 0, bridge: 0, temporal: 0, kafka: 0 },
  };
  return Promise.resolve(result);
};

describe('the event → email ladder', () => {
  it('narrows the gap between the last rung within 1 s and the first beyond it', async () => {
    const offered: number[] = [];
    const results = await climbLadder(codeSustaining(9, offered), { start: 4, steps: 8, refine: 2 });
    // 4, 5.6, 7.84 hold; 10.98 misses; then 9.28 (the middle) misses and 8.53 holds.
    assert.deepEqual(offered, [4, 5.6, 7.84, 10.98, 9.28, 8.53]);
    assert.equal(Math.round(sustainedRate(results, 'now')! * 100) / 100, 8.53);
  });

  it('climbs no further than its steps, and refines nothing without a rung that missed', async () => {
    const offered: number[] = [];
    await climbLadder(codeSustaining(100, offered), { start: 4, steps: 3, refine: 2 });
    assert.deepEqual(offered, [4, 5.6, 7.84]);
  });

  it('counts a rung with a missing email as missed, whatever its latency', async () => {
    const offered: number[] = [];
    const measure = codeSustaining(100, offered);
    const lossy = async (rate: number) => ({ ...(await measure(rate)), delivered: rate > 5 ? 19 : 20 });
    const results = await climbLadder(lossy, { start: 4, steps: 8, refine: 1 });
    assert.deepEqual(offered, [4, 5.6, 4.73]);
    assert.equal(Math.round(sustainedRate(results, 'now')! * 100) / 100, 4.73);
  });
});
