import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireServices, runId } from '../support/services';

const run = promisify(execFile);

interface BenchJson {
  results: {
    ceiling: { levels: Array<{ concurrency: number; count: number; perSecond: number }> };
    bridge: { produced: number; routed: number; perSecond: number; eventToAckMs: { n: number } };
    naive: { produced: number; routed: number; perSecond: number };
    eventToMessage: Array<{
      label: string;
      events: number;
      delivered: number;
      duplicates: number;
      eventToMessageMs: { n: number };
    }>;
    waiting: Array<{ journeys: number; workerRssMb: number }>;
    distance: Array<{
      roundTripMs: number;
      ceiling: { count: number; perSecond: number };
      naive: { produced: number; routed: number };
      bridge: { produced: number; routed: number };
    }>;
    bursty: Array<{
      label: string;
      events: number;
      customers: number;
      deadLettered: number;
      browseJourneys: number;
      perSecond: number;
      byType: Record<string, number>;
    }>;
    cost: Array<{ label: string; journeys: number; completed: number; historyEvents: number; workflowTasks: number }>;
  };
}

/**
 * The benchmark at smoke size (`npm run bench -- --smoke`): every phase runs end to end on the
 * real stack and loses nothing. Speed is the benchmark's business, not this test's.
 */
describe('the benchmark, smoke size', () => {
  let bench: BenchJson;

  before(async () => {
    await requireServices(['temporal', 'kafka', 'postgres', 'smtp', 'mailpit', 'toxiproxy']);
    const jsonPath = join(__dirname, '..', '..', 'test-artifacts', 'bench', `smoke-${runId}.json`);
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'tools/bench/run.ts', '--smoke', '--json', jsonPath],
      { cwd: join(__dirname, '..', '..'), timeout: 600_000 },
    );
    process.stdout.write(
      stdout
        .split('\n')
        .map((line) => `# ${line}`)
        .join('\n'),
    );
    bench = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchJson;
  });

  it('measures the ceiling at each concurrency it was given', () => {
    assert.deepEqual(
      bench.results.ceiling.levels.map((level) => level.concurrency),
      [4, 16],
    );
    for (const level of bench.results.ceiling.levels)
      assert.ok(level.perSecond > 0, `concurrency ${level.concurrency}: ${level.perSecond}/s`);
  });

  it('routes every event through the bridge and the naive bridge, with a latency for each', () => {
    assert.equal(bench.results.bridge.routed, bench.results.bridge.produced);
    assert.equal(bench.results.bridge.eventToAckMs.n, bench.results.bridge.produced);
    assert.equal(bench.results.naive.routed, bench.results.naive.produced);
  });

  it('delivers one email per churn event, none twice', () => {
    assert.equal(bench.results.eventToMessage.length, 1, 'the smoke run measures one rate');
    const e2m = bench.results.eventToMessage[0]!;
    assert.ok(e2m.events >= 10);
    assert.equal(e2m.delivered, e2m.events);
    assert.equal(e2m.duplicates, 0);
    assert.equal(e2m.eventToMessageMs.n, e2m.events);
  });

  it('brings every journey to its first wait at each level and measures the worker', () => {
    assert.deepEqual(
      bench.results.waiting.map((level) => level.journeys),
      [100, 200],
    );
    for (const level of bench.results.waiting) assert.ok(level.workerRssMb > 0);
  });

  it('routes every event at a 20 ms round trip, through the ceiling, the naive bridge and the bridge', () => {
    assert.deepEqual(
      bench.results.distance.map((lane) => lane.roundTripMs),
      [20],
    );
    const [lane] = bench.results.distance;
    assert.ok(lane!.ceiling.perSecond > 0);
    assert.equal(lane!.naive.routed, lane!.naive.produced);
    assert.equal(lane!.bridge.routed, lane!.bridge.produced);
  });

  it('drains the bursty mix with nothing dead-lettered and a browse journey for every customer', () => {
    const [mix] = bench.results.bursty;
    assert.equal(mix!.label, 'now');
    assert.ok(mix!.events > mix!.customers, 'each customer sends a burst');
    assert.ok((mix!.byType['product.viewed'] ?? 0) > 0 && (mix!.byType['cart.updated'] ?? 0) > 0);
    assert.equal(mix!.deadLettered, 0);
    assert.equal(mix!.browseJourneys, mix!.customers);
    assert.ok(mix!.perSecond > 0);
  });

  it('runs every cart journey of the cost phase to its end, and counts its history', () => {
    const [cost] = bench.results.cost;
    assert.equal(cost!.completed, cost!.journeys);
    assert.ok(cost!.historyEvents > 10 && cost!.workflowTasks >= 4, JSON.stringify(cost));
  });
});
