import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { castOf, countByKind, duplicateLinesFor, expectedTotals, writeAudienceFile } from '../../../tools/drill/cast';
import { checkEqual, exactlyOnce } from '../../../tools/drill/checks';
import { OptionsError, parseDrillOptions } from '../../../tools/drill/options';
import { summarize, WorkerMemory } from '../../../tools/drill/worker-memory';

describe('the launch and cancel drill', () => {
  it('reads its options, with --no-temporal-restart as a bare flag', () => {
    assert.deepEqual(parseDrillOptions([]), {
      customers: 10_000,
      rate: 200,
      maxMinutes: 30,
      json: 'test-artifacts/drill/latest.json',
      temporalRestart: true,
    });
    const small = parseDrillOptions(['--customers', '300', '--rate', '50', '--no-temporal-restart']);
    assert.deepEqual([small.customers, small.rate, small.temporalRestart], [300, 50, false]);
    assert.throws(() => parseDrillOptions(['--customers', '5']), OptionsError);
    assert.throws(() => parseDrillOptions(['--rate', '5000']), /--rate: at most 1000/);
    assert.throws(() => parseDrillOptions(['--no-temporal-restart=yes']), OptionsError);
  });

  it('knows the truth of its audience: a share of each kind to skip, the rest eligible', () => {
    const cast = castOf('r1', 10_000);
    assert.deepEqual(countByKind(cast), {
      eligible: 8_500,
      no_profile: 500,
      opted_out: 500,
      already_in_journey: 500,
    });
    assert.equal(new Set(cast.map((customer) => customer.customerId)).size, 10_000);
    assert.deepEqual(expectedTotals(cast), {
      audienceSize: 10_000,
      duplicates: 10,
      entered: 8_500,
      skipped: 1_500,
      failed: 0,
      reasons: { already_in_journey: 500, no_consent: 1_000 },
    });
    assert.equal(duplicateLinesFor(300), 3);
  });

  it('writes one line per customer and the duplicate lines, each repeating an eligible customer', async () => {
    const cast = castOf('r2', 300);
    const file = join(mkdtempSync(join(tmpdir(), 'drill-')), 'audience.jsonl');
    const { lines } = await writeAudienceFile(file, cast);
    const written = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { customerId: string; score: number });
    assert.equal(lines, 303);
    assert.equal(written.length, 303);
    assert.ok(written.every((line) => line.score === 0.9));
    const seen = new Map<string, number>();
    for (const line of written) seen.set(line.customerId, (seen.get(line.customerId) ?? 0) + 1);
    const repeated = [...seen].filter(([, count]) => count > 1).map(([customerId]) => customerId);
    assert.equal(repeated.length, 3);
    const kindOf = new Map(cast.map((customer) => [customer.customerId, customer.kind]));
    assert.ok(repeated.every((customerId) => kindOf.get(customerId) === 'eligible'));
    assert.equal(seen.size, 300);
  });

  it('counts each expected customer once, and finds the missing, the repeated and the unexpected', () => {
    const counts = new Map([
      ['a', 1],
      ['b', 2],
      ['x', 1],
    ]);
    assert.deepEqual(exactlyOnce(['a', 'b', 'c'], counts), { once: 1, missing: 1, repeated: 1, unexpected: 1 });
    assert.equal(checkEqual('keys in any order', { a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 }).ok, true);
    assert.equal(checkEqual('a difference', { a: 1 }, { a: 2 }).ok, false);
  });

  it("summarizes the worker's memory per phase: min, median, max and the processes sampled", () => {
    let pid: number | null = 10;
    const rss: Record<number, number> = { 10: 100, 11: 140 };
    const values = [100, 120, 110];
    const memory = new WorkerMemory(
      () => pid,
      (of) => (of === 10 ? (values.shift() ?? rss[10]!) : rss[of]!),
    );
    memory.phase = 'launch';
    memory.sample();
    memory.sample();
    pid = null;
    memory.sample(); // the worker is down: no sample
    pid = 11;
    memory.sample();
    memory.phase = 'cancel';
    pid = 10;
    memory.sample();
    assert.deepEqual(memory.summary(), [
      { phase: 'launch', samples: 3, processes: 2, minMiB: 100, medianMiB: 120, maxMiB: 140 },
      { phase: 'cancel', samples: 1, processes: 1, minMiB: 110, medianMiB: 110, maxMiB: 110 },
    ]);
    assert.deepEqual(summarize([]), []);
  });
});
