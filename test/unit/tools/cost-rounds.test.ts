import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineCostRounds, measureCostRounds } from '../../../tools/bench/cost-rounds';
import type { JourneyCostResult } from '../../../tools/bench/journey-cost';

const result = (label: string, journeys: number, cpuMs: number, events = 36): JourneyCostResult => ({
  label,
  journeys,
  completed: journeys,
  historyEvents: events,
  workflowTasks: 4,
  temporalCpuMsPerJourney: cpuMs,
});

describe('the cost phase in rounds', () => {
  it('turns the order round by round, so each version is measured first as often as last', async () => {
    const order: string[] = [];
    const versions = [{ label: 'before' }, { label: 'now' }];
    const { rounds } = await measureCostRounds(versions, 4, ({ label }, round) => {
      order.push(`${label}${round}`);
      return Promise.resolve(result(label, 10, 100));
    });
    assert.deepEqual(order, ['before0', 'now0', 'now1', 'before1', 'before2', 'now2', 'now3', 'before3']);
    assert.equal(rounds.length, 8);
  });

  it('counts every journey of every round once, and keeps the spread of the server CPU', () => {
    const combined = combineCostRounds([
      result('before', 100, 150, 63),
      result('now', 100, 90),
      result('now', 300, 70),
      result('before', 300, 130, 63),
    ]);
    const before = combined.find((entry) => entry.label === 'before')!;
    const now = combined.find((entry) => entry.label === 'now')!;
    assert.equal(before.journeys, 400);
    assert.equal(before.temporalCpuMsPerJourney, (150 * 100 + 130 * 300) / 400);
    assert.deepEqual(before.temporalCpuMsRange, [130, 150]);
    assert.equal(before.historyEvents, 63);
    assert.equal(now.temporalCpuMsPerJourney, (90 * 100 + 70 * 300) / 400);
    assert.deepEqual(now.temporalCpuMsRange, [70, 90]);
    assert.equal(now.rounds, 2);
  });
});
