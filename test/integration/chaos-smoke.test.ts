import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connectToStackTemporal } from '../support/temporal';
import { Kafka, logLevel } from 'kafkajs';
import { requireServices, runId, stackEnv } from '../support/services';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

interface ChaosJson {
  timedOut: boolean;
  clean: boolean;
  faults: Record<string, number>;
  events: { deadLetters: number; replayed: number };
  verdict: {
    total: {
      customers: number;
      expected: number;
      delivered: number;
      duplicates: number;
      missing: number;
      afterExit: number;
    };
  };
}

/**
 * The chaos run at smoke size (`npm run chaos -- --customers 30`): workers and bridges killed with
 * -9, Temporal, Kafka and PostgreSQL restarted, a provider turned into a black hole and refusing our
 * credentials for 30 s, the topic replayed from offset 0, and still every customer gets
 * exactly their messages. Correctness only, no timing. It must leave Temporal and Kafka running for
 * the tests after it.
 */
describe('the chaos run, smoke size', () => {
  let chaos: ChaosJson;
  let output = '';

  before(async () => {
    await requireServices(['temporal', 'kafka', 'postgres', 'smtp', 'mailpit']);
    const jsonPath = join(ROOT, 'test-artifacts', 'chaos', `smoke-${runId}.json`);
    const result = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'tools/chaos/run.ts',
        '--customers',
        '30',
        '--seed',
        '7',
        '--max-minutes',
        '8',
        '--json',
        jsonPath,
      ],
      { cwd: ROOT, timeout: 11 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: Error & { stdout?: string; stderr?: string }) => ({
      stdout: `${error.stdout ?? ''}\n${error.stderr ?? error.message}`,
    }));
    output = result.stdout;
    process.stdout.write(`${output}\n`);
    chaos = JSON.parse(readFileSync(jsonPath, 'utf8')) as ChaosJson;
  });

  it('finishes in time, with every kind of fault injected at least once', () => {
    assert.equal(chaos.timedOut, false, output);
    for (const kind of [
      'kill -9 worker',
      'kill -9 bridge',
      'restart Temporal',
      'restart Kafka',
      'provider black hole',
      'provider auth failure',
      'restart PostgreSQL',
    ]) {
      assert.ok((chaos.faults[kind] ?? 0) >= 1, `no "${kind}" fault: ${JSON.stringify(chaos.faults)}`);
    }
  });

  it('delivers every expected message exactly once, none after an exit, through a full replay', () => {
    const { total } = chaos.verdict;
    assert.equal(total.customers, 30);
    assert.ok(total.expected > 0);
    assert.deepEqual(
      { delivered: total.delivered, duplicates: total.duplicates, missing: total.missing, afterExit: total.afterExit },
      { delivered: total.expected, duplicates: 0, missing: 0, afterExit: 0 },
      output,
    );
    assert.ok(chaos.events.replayed > 0, 'the topic was not replayed');
    assert.equal(chaos.events.deadLetters, 0, 'valid events were dead-lettered');
    assert.equal(chaos.clean, true);
  });

  it('leaves Temporal and Kafka up and answering for what runs next', async () => {
    const connection = await connectToStackTemporal(10_000);
    try {
      const health = await connection.healthService.check({});
      assert.equal(health.status, 1, 'Temporal is not SERVING');
    } finally {
      await connection.close();
    }
    const admin = new Kafka({ clientId: 'chaos-smoke', brokers: [stackEnv.kafka], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      assert.ok(Array.isArray(await admin.listTopics()));
    } finally {
      await admin.disconnect();
    }
  });
});
