import { withoutHoldout } from '../without-holdout';
import { execFileSync } from 'node:child_process';
import { machine } from '../machine';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { redactUrl } from '../../platform/pii';
import { connectTemporalClient } from '../../platform/temporal/connection';
import { terminateLeftovers } from '../chaos/journeys';
import { ChildApp } from '../chaos/processes';
import { DrillAdmin } from './admin-api';
import { castOf, countByKind, duplicateLinesFor } from './cast';
import { cancelTheCampaign } from './cancel-phase';
import { OutOfTime, type DrillContext } from './context';
import { createThrowawayDatabase } from './database';
import { LaunchFaults } from './faults';
import { checkTheEmails, checkTheLaunch, runTheLaunch, startJourneysBeforeTheLaunch } from './launch-phase';
import { OptionsError, parseDrillOptions } from './options';
import { storeProfiles } from './profiles';
import { formatReport, writeReport, type DrillReport } from './report';
import { WorkerMemory } from './worker-memory';

const LOCAL_HOSTS = ['127.0.0.1', 'localhost'];
const ROOT = join(__dirname, '..', '..');

/**
 * The launch and cancel drill (`npm run drill`): on the local stack, with a database and a task
 * queue of its own, launches churn-retention for an uploaded audience while the worker is killed
 * with -9 and Temporal restarted, checks that each eligible customer entered once and got one
 * email, then cancels the campaign and measures how long until every journey has ended.
 */
async function main(): Promise<void> {
  const options = parseDrillOptions(process.argv.slice(2));
  const config = loadConfig(workerConfigSchema);
  const hosts = {
    TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS.split(':')[0]!,
    DATABASE_URL: new URL(config.DATABASE_URL).hostname,
    SMTP_URL: new URL(config.SMTP_URL).hostname,
  };
  const remote = Object.entries(hosts).filter(([, host]) => !LOCAL_HOSTS.includes(host));
  if (remote.length > 0)
    throw new OptionsError(
      `the drill runs only against the local stack (it restarts Temporal with infra/temporal.sh): ` +
        `unset ${remote.map(([name]) => name).join(', ')}`,
    );

  const startedAt = Date.now();
  const runId = startedAt.toString(36);
  const logDir = join(ROOT, 'test-artifacts', 'drill', runId);
  mkdirSync(logDir, { recursive: true });
  const elapsed = () => String(Math.round((Date.now() - startedAt) / 1000)).padStart(4);
  const say = (line: string) =>
    process.stdout.write(`[${new Date().toISOString().slice(11, 19)} +${elapsed()}s] ${line}\n`);
  const deadline = startedAt + options.maxMinutes * 60_000;
  const taskQueue = `drill-${runId}`;
  const cast = castOf(runId, options.customers);
  say(
    `launch and cancel drill ${runId}: ${options.customers} customers at ${options.rate}/s, ` +
      `at most ${options.maxMinutes} min; task queue ${taskQueue}; process logs in ${logDir}`,
  );

  const database = await createThrowawayDatabase(config.DATABASE_URL, `drill_${runId}`);
  say(`database ${database.name} (${redactUrl(database.url)})`);
  // Every customer of a launch is expected to be messaged: no holdout.
  const env = {
    DATABASE_URL: database.url,
    TEMPORAL_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'info',
    CAMPAIGN_SETTINGS: JSON.stringify(withoutHoldout()),
  };
  const worker = new ChildApp('worker', 'worker', env, logDir);
  const faults = new LaunchFaults(worker, options.temporalRestart, say);
  const memory = new WorkerMemory(() => (worker.running ? worker.pid : null));
  const admin = new DrillAdmin(env, logDir);
  const client = await connectTemporalClient(config);
  const report = emptyReport(runId, options, taskQueue, database.name, cast);
  const context: DrillContext = {
    options,
    runId,
    logDir,
    cast,
    db: database.db,
    admin,
    client,
    memory,
    report,
    checks: report.checks,
    deadline,
    say,
  };

  const abandon = (why: string, code: number) => {
    say(`${why}: killing the worker; the database ${database.name} is left behind`);
    worker.killNow();
    if (faults.temporalDown) execFileSync('bash', [join(ROOT, 'infra', 'temporal.sh'), 'start'], { stdio: 'ignore' });
    process.exit(code);
  };
  const hardStop = setTimeout(() => abandon('hard time limit reached', 1), deadline + 120_000 - Date.now());
  hardStop.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => abandon(`${signal}`, 130));

  try {
    memory.phase = 'start';
    say(`storing ${await storeProfiles(database.db, runId, cast)} profiles; starting the worker and the admin API`);
    await worker.start();
    memory.start();
    await admin.start();
    memory.phase = 'before the launch';
    await startJourneysBeforeTheLaunch(context);
    const view = await runTheLaunch(context, faults);
    await checkTheLaunch(context, view, faults);
    await checkTheEmails(context, view.launchId);
    await cancelTheCampaign(context, view.launchId);
  } catch (error) {
    if (error instanceof OutOfTime) report.timedOut = true;
    report.error = (error as Error).message;
    say(`stopped: ${report.error}`);
  } finally {
    memory.stop();
    report.workerMemory = memory.summary();
    report.faults = faults.injected;
    report.workerExitedOnItsOwn = faults.exitedOnItsOwn;
    await admin.stop().catch(() => undefined);
    await faults.repairTemporal().catch((error: unknown) => say(`Temporal may be down: ${(error as Error).message}`));
    await terminateLeftovers(client, taskQueue, 'launch and cancel drill finished');
    await worker.stop();
    await client.connection.close().catch(() => undefined);
    await database
      .drop()
      .catch((error: unknown) => say(`could not drop ${database.name}: ${(error as Error).message}`));
  }
  clearTimeout(hardStop);

  report.minutes = (Date.now() - startedAt) / 60_000;
  report.finishedAt = new Date().toISOString();
  report.passed = !report.timedOut && report.error === null && report.checks.every((check) => check.ok);
  const jsonPath = resolve(options.json);
  writeReport(jsonPath, report);
  process.stdout.write(formatReport(report));
  process.stdout.write(`JSON: ${jsonPath}\n`);
  if (!report.passed) process.exitCode = 1;
}

function emptyReport(
  runId: string,
  options: DrillReport['options'],
  taskQueue: string,
  database: string,
  cast: ReturnType<typeof castOf>,
): DrillReport {
  return {
    runId,
    finishedAt: '',
    options: {
      customers: options.customers,
      rate: options.rate,
      maxMinutes: options.maxMinutes,
      temporalRestart: options.temporalRestart,
    },
    minutes: 0,
    timedOut: false,
    error: null,
    passed: false,
    machine: machine(),
    taskQueue,
    database,
    audience: {
      customers: cast.length,
      lines: 0,
      duplicateLines: duplicateLinesFor(cast.length),
      byKind: countByKind(cast),
    },
    launch: {
      launchId: null,
      webUi: null,
      uploadMs: null,
      durationMs: null,
      entriesPerSecond: null,
      view: null,
      workflow: null,
    },
    faults: [],
    workerExitedOnItsOwn: 0,
    sends: { day0Sent: 0, day0Unknown: 0, waitedMs: null },
    cancel: {
      cancelledAt: null,
      launchJourneys: 0,
      allEndedInMs: null,
      cancellationDoneInMs: null,
      cancellationProgress: null,
      sentAfterCancel: null,
    },
    workerMemory: [],
    checks: [],
  };
}

main().catch((error: unknown) => {
  if (error instanceof OptionsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`drill failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
