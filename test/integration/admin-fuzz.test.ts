import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TestAdmin } from '../support/admin';
import { TwilioSandbox } from '../../tools/sandbox/twilio-sandbox';
import { throwawayDatabase } from '../support/databases';
import { requireServices, runId } from '../support/services';
import { terminateJourneysOn } from '../support/temporal';

const SCHEMATHESIS = join(
  process.env.CAMPAIGNS_HOME ?? join(homedir(), '.cache', 'triggered-campaigns'),
  'tools',
  'schemathesis-4.32.5',
  'bin',
  'schemathesis',
);
const EXAMPLES_PER_OPERATION = Number(process.env.FUZZ_EXAMPLES ?? 25);
const FUZZ_TIMEOUT_MS = 15 * 60_000;
const REPORT_DIR = resolve('test-artifacts', 'schemathesis');

/**
 * Property-based fuzzing of the admin API from its own OpenAPI document: Schemathesis generates
 * valid and invalid requests for every operation and fails on any 5xx. The API runs on a throwaway
 * database and a task queue no worker polls, so the fuzzing changes nothing anyone else sees.
 */
describe('admin API fuzzing (Schemathesis)', () => {
  let database: Awaited<ReturnType<typeof throwawayDatabase>> | null = null;
  const taskQueue = `fuzz-${runId}`;
  const twilio = new TwilioSandbox();
  let admin: TestAdmin | null = null;

  before(async () => {
    await requireServices(['temporal', 'kafka', 'postgres', 'smtp']);
    assert.ok(
      existsSync(SCHEMATHESIS),
      `Schemathesis is not installed at ${SCHEMATHESIS}; run \`bash infra/ensure-schemathesis.sh\` (npm test does).`,
    );
    database = await throwawayDatabase('campaigns_fuzz');
    await twilio.start();
    admin = new TestAdmin({
      DATABASE_URL: database.url,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ADMIN_RATE_LIMIT: '1000000',
      // No worker polls this task queue: a query of a launch or a journey would wait out its timeout.
      ADMIN_QUERY_TIMEOUT: '200ms',
      ...twilio.env(),
    });
    await admin.start();
  });

  after(async () => {
    await admin?.stop();
    await twilio.stop();
    // Journeys the fuzzer started wait for a worker that never comes; they are ended, not left behind.
    await terminateJourneysOn(taskQueue);
    await database?.drop();
  });

  it('finds no request that makes the API answer 5xx', async () => {
    mkdirSync(REPORT_DIR, { recursive: true });
    const args = [
      'run',
      `${admin!.url}/openapi.json`,
      '--header',
      `Authorization: Bearer ${admin!.token}`,
      '--checks',
      'not_a_server_error',
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      String(EXAMPLES_PER_OPERATION),
      '--seed',
      process.env.FUZZ_SEED ?? '20261122',
      // One worker: CPython 3.11's ast.parse is not thread-safe, and Hypothesis parses lambdas while generating.
      '--workers',
      '1',
      '--request-timeout',
      '20',
      '--report',
      'junit',
      '--report-dir',
      REPORT_DIR,
      '--no-color',
    ];
    const { code, output } = await run(SCHEMATHESIS, args, FUZZ_TIMEOUT_MS);
    process.stdout.write(`${output.slice(Math.max(0, output.lastIndexOf('SUMMARY') - 40))}\n`);
    assert.equal(code, 0, `Schemathesis found failures (report in ${REPORT_DIR}):\n${output.slice(-6000)}`);
    assert.match(output, /\d+ passed/, 'the run executed test cases');
    const serverErrors = admin!.logLines.filter((line) => line.msg === 'admin request' && Number(line.status) >= 500);
    assert.deepEqual(serverErrors, [], 'no request was answered with a 5xx');
  });
});

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}
