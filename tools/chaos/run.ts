import { withoutHoldout } from '../without-holdout';
import { startSmtpFaultProxy, startToolRun } from '../tool-run';
import { machine } from '../machine';
import { openLane } from './lane';
import { resolve } from 'node:path';
import { z } from 'zod';
import { bridgeConfigSchema, loadConfig } from '../../platform/config';
import { castOf } from './cast';
import { FaultActions } from './fault-actions';
import { FaultInjector } from './faults';
import { Inbox } from './inbox';
import { everyJourneyEnded, journeyCounts, terminateLeftovers } from './journeys';
import { ledgerOf } from './ledger';
import { OptionsError, parseChaosOptions } from './options';
import { ChildApp } from './processes';
import { consumedToTheEnd } from './replay';
import { formatReport, writeReport, type ChaosReport } from './report';
import { seededRandom } from './rng';
import { ensureStackServices, restoreStackNow } from './stack';
import { ChaosStorefront } from './storefront';
import { Supervisor } from './supervisor';
import { isClean, judge } from './verdict';

/**
 * Compressed timings. The first message comes 5 s after the entry; the next one 2 minutes later, so
 * an exit published once the first message has been seen reaches its journey before the next step
 * even when a broker restart, a Kafka session timeout (KAFKA_SESSION_TIMEOUT, 6 s) after a bridge kill and a Temporal
 * restart come one after another. The frequency cap window (2 s) is shorter than any step spacing.
 */
const SETTINGS = {
  'cart-abandonment': { firstReminderDelay: '5s', secondReminderDelay: '120s', finalReminderDelay: '10s' },
  'browse-abandonment': { emailDelay: '5s' },
  'churn-retention': { offerDelay: '120s', finalDelay: '10s' },
  contact: { frequencyWindow: '2s', quietHours: { sms: null } },
};
const FAULTS = { gapMs: [6_000, 15_000] as [number, number], downMs: [500, 4_000] as [number, number] };
const POLL_MS = 2_000;
const LOCAL = { temporal: '127.0.0.1:7233', kafka: '127.0.0.1:9092' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const options = parseChaosOptions(process.argv.slice(2));
  const config = loadConfig(
    bridgeConfigSchema.extend({
      MAILPIT_URL: z.url().default('http://127.0.0.1:8025'),
      SMTP_URL: z.url({ protocol: /^smtp$/ }).default('smtp://127.0.0.1:1025'),
    }),
  );
  if (config.TEMPORAL_ADDRESS !== LOCAL.temporal || config.KAFKA_BROKERS.join(',') !== LOCAL.kafka) {
    throw new OptionsError(
      `the chaos run restarts the local stack (infra/temporal.sh, infra/kafka.sh), so it runs only against it: ` +
        `unset TEMPORAL_ADDRESS (${config.TEMPORAL_ADDRESS}) and KAFKA_BROKERS (${config.KAFKA_BROKERS.join(',')})`,
    );
  }
  const run = startToolRun('chaos', config.LOG_LEVEL);
  const { startedAt, runId, logDir, logger, say } = run;
  const deadline = startedAt + options.maxMinutes * 60_000;
  const names = { ...run.names, replayGroup: `chaos-${run.runId}-replay` };
  say(
    `chaos run ${runId}: ${options.customers} customers, seed ${options.seed} ` +
      `(repeat with --seed ${options.seed}), at most ${options.maxMinutes} min`,
  );
  say(
    `topic ${names.topic} (${config.EVENTS_TOPIC_PARTITIONS} partitions), ` +
      `task queue ${names.taskQueue}; process logs in ${logDir}`,
  );

  const lane = await openLane(config, logger, names, '-chaos');
  const { admin, producer, client, sms } = lane;
  const smtp = await startSmtpFaultProxy(config.SMTP_URL);

  const env = {
    EVENTS_TOPIC: names.topic,
    DLQ_TOPIC: names.dlq,
    KAFKA_GROUP_ID: names.group,
    TEMPORAL_TASK_QUEUE: names.taskQueue,
    EVENTS_TOPIC_PARTITIONS: String(config.EVENTS_TOPIC_PARTITIONS),
    CAMPAIGN_SETTINGS: JSON.stringify(withoutHoldout(SETTINGS)),
    SMTP_URL: smtp.url,
    ...sms.env(),
  };
  const supervisor = new Supervisor(env, logDir, say);
  const replayBridge = new ChildApp('bridge', 'replay-bridge', { ...env, KAFKA_GROUP_ID: names.replayGroup }, logDir);
  const faults = new FaultInjector(
    supervisor,
    seededRandom(options.seed),
    FAULTS,
    say,
    new FaultActions(supervisor, smtp, sms),
  );
  const cast = castOf(runId, options.customers);
  const storefront = new ChaosStorefront(producer, names.topic, cast, deadline);
  const inbox = new Inbox(config.MAILPIT_URL, `chaos-${runId}.example`, sms, cast);
  const expectedMessages = cast.reduce((sum, customer) => sum + customer.expected.email + customer.expected.sms, 0);
  const journeys = { closedBeforeReplay: 0, closedAfterReplay: 0 };
  let timedOut = false;

  const hardStop = setTimeout(
    () => {
      say(`hard time limit reached (${options.maxMinutes} min + 2): killing the run's processes`);
      supervisor.killAllNow();
      replayBridge.killNow();
      restoreStackNow();
      process.exit(1);
    },
    deadline + 120_000 - Date.now(),
  );
  hardStop.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      supervisor.killAllNow();
      replayBridge.killNow();
      restoreStackNow();
      process.exit(130);
    });
  }

  try {
    await supervisor.startAll();
    say('two workers and two bridges are up (one consumer group, one task queue); faults start now');
    faults.start();

    let opened = false;
    const opening = storefront.openJourneys(Math.min(60_000, options.customers * 60)).then(() => {
      opened = true;
      say(`published every profile and entry event (${storefront.duplicatesPublished} entries twice so far)`);
    });
    opening.catch(() => undefined); // awaited after the loop; a failure must not crash the run before that
    let lastProgress = 0;
    let doneBefore = false;
    for (;;) {
      const deliveries = await inbox.read().catch((error: unknown) => {
        say(`could not read the inboxes this time: ${(error as Error).message}`);
        return null;
      });
      if (!deliveries) {
        timedOut = Date.now() > deadline;
        if (timedOut) break;
        await sleep(POLL_MS);
        continue;
      }
      await storefront.publishDueExits(deliveries);
      const counts = await journeyCounts(client, names.taskQueue);
      if (Date.now() - lastProgress >= 15_000) {
        lastProgress = Date.now();
        const delivered = [...deliveries.values()].reduce((sum, list) => sum + list.length, 0);
        say(
          `progress: ${delivered}/${expectedMessages} messages delivered, ` +
            `${storefront.exitPublishedAt.size} exits published, ` +
            `journeys running ${counts?.running ?? '?'}, ended ${counts?.closed ?? '?'}`,
        );
      }
      const done =
        opened &&
        storefront.exitsPending === 0 &&
        faults.everyKindInjected &&
        counts?.running === 0 &&
        (await everyJourneyEnded(client, names.taskQueue, cast));
      // Twice in a row: visibility briefly lags behind after a Temporal restart.
      if (done && doneBefore) break;
      doneBefore = done;
      if (Date.now() > deadline) {
        timedOut = true;
        say('ran out of time before every journey ended');
        break;
      }
      await supervisor.keepRunning();
      await sleep(POLL_MS);
    }
    await opening;
    await faults.stop();
    say(
      `faults stopped: ${Object.entries(faults.injected)
        .map(([kind, count]) => `${kind} ×${count}`)
        .join(', ')}`,
    );
    await ensureStack(supervisor, deadline, say);
    journeys.closedBeforeReplay = (await journeyCounts(client, names.taskQueue))?.closed ?? 0;

    if (!timedOut) {
      say(
        `every journey has ended (${journeys.closedBeforeReplay}); ` +
          `replaying the whole topic from offset 0 with a new consumer group (${names.replayGroup})`,
      );
      await replayBridge.start();
      if (!(await consumedToTheEnd(admin, names.topic, names.replayGroup, deadline))) timedOut = true;
      while (!timedOut && (await journeyCounts(client, names.taskQueue))?.running !== 0) {
        if (Date.now() > deadline) timedOut = true;
        await sleep(POLL_MS);
      }
      await sleep(5_000); // a message sent twice by the replay would arrive in this time
      journeys.closedAfterReplay = (await journeyCounts(client, names.taskQueue))?.closed ?? 0;
      say(
        timedOut
          ? 'ran out of time during the replay'
          : `the replay is consumed and its journeys have ended ` +
              `(${journeys.closedAfterReplay - journeys.closedBeforeReplay} more)`,
      );
    }
  } finally {
    await faults.stop();
    await replayBridge.stop();
    await supervisor.stopAll();
    await ensureStackServices(say);
  }

  const verdict = judge(cast, await inbox.read(), storefront.exitPublishedAt);
  const deadLetters = (await admin.fetchTopicOffsets(names.dlq)).reduce(
    (sum, partition) => sum + Number(partition.high),
    0,
  );
  const replayed = (await admin.fetchTopicOffsets(names.topic)).reduce(
    (sum, partition) => sum + Number(partition.high),
    0,
  );
  await terminateLeftovers(
    client,
    names.taskQueue,
    timedOut ? 'chaos run timed out' : 'chaos run over (a journey outside its stories: post-purchase)',
  );
  const report: ChaosReport = {
    runId,
    finishedAt: new Date().toISOString(),
    seed: options.seed,
    customers: options.customers,
    minutes: (Date.now() - startedAt) / 60_000,
    timedOut,
    clean: !timedOut && isClean(verdict) && deadLetters === 0,
    machine: machine(),
    settings: SETTINGS,
    events: {
      published: storefront.eventsPublished,
      duplicatesPublished: storefront.duplicatesPublished,
      deadLetters,
      replayed: journeys.closedAfterReplay > 0 ? replayed : 0,
    },
    faults: faults.injected,
    restarts: {
      killedAndRestarted: { worker: faults.injected['kill -9 worker'], bridge: faults.injected['kill -9 bridge'] },
      exitedOnTheirOwn: supervisor.exitedOnTheirOwn,
    },
    journeys,
    verdict,
    ledgerOfFindings: await ledgerOf(
      config.DATABASE_URL,
      verdict.findings.slice(0, 100).map((finding) => finding.customerId),
    ),
  };
  await smtp.stop();
  await lane.close();
  clearTimeout(hardStop);

  const jsonPath = resolve(options.json);
  writeReport(jsonPath, report);
  process.stdout.write(formatReport(report));
  process.stdout.write(`JSON: ${jsonPath}\n`);
  if (!report.clean) process.exitCode = 1;
}

/** Brings back whatever a fault left down: Temporal, Kafka, then any worker or bridge. */
async function ensureStack(supervisor: Supervisor, deadline: number, say: (line: string) => void): Promise<void> {
  await ensureStackServices(say);
  while (!supervisor.allRunning && Date.now() < deadline) {
    await supervisor.keepRunning();
    if (!supervisor.allRunning) await sleep(POLL_MS);
  }
}

main().catch((error: unknown) => {
  if (error instanceof OptionsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`chaos run failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
