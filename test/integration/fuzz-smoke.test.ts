import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { requireServices, runId } from '../support/services';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const FAULTS = 'providers,processes';
/** Every provider fault (SMTP and Twilio: down, black hole, slow, authentication, 4xx/5xx) and both process kills. */
const KINDS = [
  'smtp refuse',
  'smtp black hole',
  'smtp slow',
  'smtp auth failure',
  'smtp 4xx',
  'smtp 5xx incident',
  'twilio refuse',
  'twilio black hole',
  'twilio slow',
  'twilio auth failure',
  'twilio 5xx',
  'kill -9 worker',
  'kill -9 bridge',
];

interface FuzzJson {
  timedOut: boolean;
  clean: boolean;
  customers: number;
  faultsInjected: Record<string, number>;
  faultsNotInjected: string[];
  faultFailures: string[];
  operator: { pauses: unknown[]; settingsChanges: unknown[] };
  operatorFailures: string[];
  events: { published: number; deadLetters: number };
  expectations: { must: number; may: number; mustNot: number };
  delivered: number;
  totals: Record<
    'duplicates' | 'afterExit' | 'withoutConsent' | 'unplanned' | 'capViolations' | 'missing' | 'stuckPartitions',
    number
  >;
}

/**
 * The fuzzer at smoke size (`npm run fuzz -- --customers 100 --seed 14 --faults providers,processes`):
 * seeded event sequences for 100 customers through bridge and worker processes, with every provider
 * fault and process kill, each customer checked against the reference model. It does not restart
 * Temporal, Kafka or PostgreSQL (the chaos smoke does).
 */
describe('the fuzzer, smoke size', () => {
  let fuzz: FuzzJson;
  let output = '';

  before(async () => {
    await requireServices(['temporal', 'kafka', 'postgres', 'smtp', 'mailpit']);
    const jsonPath = join(ROOT, 'test-artifacts', 'fuzz', `smoke-${runId}.json`);
    const result = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'tools/fuzz/run.ts',
        '--customers',
        '100',
        '--seed',
        '14',
        '--max-minutes',
        '4',
        '--faults',
        FAULTS,
        '--json',
        jsonPath,
      ],
      { cwd: ROOT, timeout: 7 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: Error & { stdout?: string; stderr?: string }) => ({
      stdout: `${error.stdout ?? ''}\n${error.stderr ?? error.message}`,
    }));
    output = result.stdout;
    process.stdout.write(`${output}\n`);
    fuzz = JSON.parse(readFileSync(jsonPath, 'utf8')) as FuzzJson;
  });

  it(
    'finishes in time, with every fault kind it scheduled injected and repaired, ' +
      "and the operator's pause and settings change done",
    () => {
      assert.equal(fuzz.timedOut, false, output);
      assert.equal(fuzz.customers, 100);
      assert.deepEqual(fuzz.faultsNotInjected, [], output);
      assert.deepEqual(fuzz.faultFailures, [], output);
      for (const kind of KINDS)
        assert.ok((fuzz.faultsInjected[kind] ?? 0) >= 1, `no "${kind}" fault: ${JSON.stringify(fuzz.faultsInjected)}`);
      assert.deepEqual(
        [fuzz.operator.pauses.length, fuzz.operator.settingsChanges.length, fuzz.operatorFailures],
        [1, 1, []],
        output,
      );
    },
  );

  it('finds no violation of any kind against the model', () => {
    assert.ok(fuzz.expectations.must > 0 && fuzz.delivered > 0 && fuzz.events.published > 0, 'the run checked nothing');
    assert.deepEqual(
      fuzz.totals,
      {
        duplicates: 0,
        afterExit: 0,
        withoutConsent: 0,
        unplanned: 0,
        capViolations: 0,
        missing: 0,
        stuckPartitions: 0,
      },
      output,
    );
    assert.equal(fuzz.events.deadLetters, 0, 'valid events were dead-lettered');
    assert.equal(fuzz.clean, true, output);
  });
});
