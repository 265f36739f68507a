import { startSmtpFaultProxy, startToolRun } from '../tool-run';
import { resolve } from 'node:path';
import { openLane } from '../chaos/lane';
import type { Admin, Producer } from 'kafkajs';
import { z } from 'zod';
import { FaultActions } from '../chaos/fault-actions';
import { Inbox } from '../chaos/inbox';
import { journeyCounts, terminateLeftovers } from '../chaos/journeys';
import { consumedToTheEnd } from '../chaos/replay';
import { ensureStackServices, restoreStackNow } from '../chaos/stack';
import { Supervisor } from '../chaos/supervisor';
import { setCampaignPaused, saveOverrides } from '../../platform/db/campaign-settings';
import { createDb } from '../../platform/db/database';
import { bridgeConfigSchema, loadConfig } from '../../platform/config';
import { JourneyClient } from '../../platform/temporal/journeys';
import { postgresPresence } from '../../platform/temporal/journey-presence';
import { campaignResumedSignal } from '../../contract/journeys';
import { CommitWatcher } from './commits';
import { observedSmtpOutages, planFaults, FaultRunner } from './faults';
import { generateCustomers, type GeneratedCustomer } from './generate';
import { lagFromLedger, MODEL_TIMING } from './model';
import { expectedWithOperator, OperatorRunner, planOperator } from './operator';
import { OptionsError, parseFuzzOptions } from './options';
import { formatReport, writeReport, type FailingCustomer, type FuzzReport } from './report';
import { campaignSettingsJson, FAULT_GROUPS, FUZZ_SETTINGS, type FuzzAction, type TimedAction } from './scenario';
import { createRunDatabase, identify, ledgerRows, type LedgerRow } from './store';
import { isClean, judgeCustomer, noViolations, VIOLATION_KINDS, type Violations } from './verdict';

const POLL_MS = 2_000;
const LEAD_MS = 2_000;
const LOCAL = { temporal: '127.0.0.1:7233', kafka: '127.0.0.1:9092' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Customers start this far apart (at least 30 s in all), so faults meet journeys at every stage. */
const spreadOf = (customers: number) => Math.max(30_000, customers * 40);

async function main(): Promise<void> {
  const options = parseFuzzOptions(process.argv.slice(2));
  const config = loadConfig(
    bridgeConfigSchema.extend({
      MAILPIT_URL: z.url().default('http://127.0.0.1:8025'),
      SMTP_URL: z.url({ protocol: /^smtp$/ }).default('smtp://127.0.0.1:1025'),
    }),
  );
  const restartsServices = options.faults.some((kind) => FAULT_GROUPS.services.includes(kind));
  if (
    restartsServices &&
    (config.TEMPORAL_ADDRESS !== LOCAL.temporal || config.KAFKA_BROKERS.join(',') !== LOCAL.kafka)
  ) {
    throw new OptionsError(
      'service faults restart the local stack (infra/*.sh), so they run only against it: ' +
        'unset TEMPORAL_ADDRESS and KAFKA_BROKERS, or leave them out with --faults providers,processes',
    );
  }
  const run = startToolRun('fuzz', config.LOG_LEVEL);
  const { startedAt, runId, logDir, logger, say } = run;
  const deadline = startedAt + options.maxMinutes * 60_000;
  const { names } = run;
  const replay =
    `npm run fuzz -- --seed ${options.seed} --customers ${options.customers} ` + `--faults '${options.faultsText}'`;
  say(
    `fuzz run ${runId}: seed ${options.seed}, ${options.customers} customers` +
      `${options.only ? `, only ${options.only.join(',')}` : ''}, ` +
      `at most ${options.maxMinutes} min (repeat: ${replay})`,
  );
  say(`faults: ${options.faults.join(', ') || 'none'}; process logs in ${logDir}`);

  const spreadMs = spreadOf(options.customers);
  const everyone = generateCustomers(options.seed, options.customers, runId, FUZZ_SETTINGS, spreadMs);
  const customers = options.only ? everyone.filter((customer) => options.only!.includes(customer.index)) : everyone;
  const lastStart = Math.max(
    ...customers.map((customer) => customer.startMs + Math.max(...customer.actions.map((action) => action.atMs))),
  );
  const plan = planFaults(options.seed, options.faults, lastStart + 10_000);

  const lane = await openLane(config, logger, names, '-fuzz');
  const { admin, producer, client, sms } = lane;
  // A database of its own: the operator's pauses and settings changes must not touch anyone else's journeys.
  const database = await createRunDatabase(config.DATABASE_URL, `fuzz_${runId}`);
  const smtp = await startSmtpFaultProxy(config.SMTP_URL);

  const env = {
    EVENTS_TOPIC: names.topic,
    DLQ_TOPIC: names.dlq,
    KAFKA_GROUP_ID: names.group,
    TEMPORAL_TASK_QUEUE: names.taskQueue,
    EVENTS_TOPIC_PARTITIONS: String(config.EVENTS_TOPIC_PARTITIONS),
    CAMPAIGN_SETTINGS: campaignSettingsJson(FUZZ_SETTINGS),
    SMTP_URL: smtp.url,
    DATABASE_URL: database.url,
    ...sms.env(),
  };
  const supervisor = new Supervisor(env, logDir, say);
  const faults = new FaultRunner(new FaultActions(supervisor, smtp, sms), plan, say);
  const operatorDb = createDb(database.url, 2);
  const journeys = new JourneyClient(client, names.taskQueue, postgresPresence(operatorDb));
  const operator = new OperatorRunner(
    planOperator(options.seed, spreadMs),
    {
      setPaused: (campaign, paused) => setCampaignPaused(operatorDb, campaign, paused),
      saveCartSettings: async (cart) => {
        await saveOverrides(operatorDb, 'cart-abandonment', {
          firstReminderDelay: cart.firstReminderDelay,
          secondReminderDelay: cart.secondReminderDelay,
        });
      },
      resumeHeld: async (campaign) => {
        let told = 0;
        for await (const held of client.workflow.list({
          query:
            `TaskQueue = "${names.taskQueue}" AND CampaignType = "${campaign}" ` +
            `AND JourneyStage = "paused" AND ExecutionStatus = "Running"`,
        })) {
          await client.workflow
            .getHandle(held.workflowId)
            .signal(campaignResumedSignal)
            .then(
              () => {
                told += 1;
              },
              () => undefined,
            );
        }
        return told;
      },
    },
    say,
  );
  const timed = new Map<string, TimedAction[]>();
  const offsets = new Map<TimedAction, { partition: number; offset: number }>();
  const commits = new CommitWatcher(admin, names.topic, names.group);
  const counters = { published: 0, duplicatesPublished: 0, cancels: 0 };
  let timedOut = false;

  const hardStop = setTimeout(
    () => {
      say(`hard time limit reached (${options.maxMinutes} min + 2): killing the run's processes`);
      supervisor.killAllNow();
      if (restartsServices) restoreStackNow();
      process.exit(1);
    },
    deadline + 120_000 - Date.now(),
  );
  hardStop.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      supervisor.killAllNow();
      if (restartsServices) restoreStackNow();
      process.exit(130);
    });
  }

  let stuckPartitions = 0;
  try {
    await supervisor.startAll();
    const runT0 = Date.now() + LEAD_MS;
    say(
      `two workers and two bridges are up; ` +
        `${customers.length} customers start over ${(spreadMs / 1000).toFixed(0)} s; ${plan.length} faults planned`,
    );
    faults.start(runT0);
    operator.start(runT0);
    commits.start();
    const act = (customer: GeneratedCustomer, action: FuzzAction) =>
      perform(customer, action, { producer, topic: names.topic, journeys, deadline, counters, offsets });
    const playing = Promise.all(
      customers.map(async (customer) => {
        const done: TimedAction[] = [];
        timed.set(customer.customerId, done);
        const seenIds = new Set<string>();
        for (const action of customer.actions) {
          const wait = runT0 + customer.startMs + action.atMs - Date.now();
          if (wait > 0) await sleep(wait);
          if (action.kind === 'event' && seenIds.has(action.eventId)) counters.duplicatesPublished += 1;
          if (action.kind === 'event') seenIds.add(action.eventId);
          done.push(await act(customer, action));
        }
      }),
    );
    let played = false;
    playing.then(
      () => {
        played = true;
        say('every customer event is published');
      },
      () => undefined,
    );

    let doneBefore = false;
    let lastProgress = 0;
    for (;;) {
      await supervisor.keepRunning();
      const counts = await journeyCounts(client, names.taskQueue);
      if (Date.now() - lastProgress >= 15_000) {
        lastProgress = Date.now();
        say(
          `progress: ${counters.published} events published, ` +
            `journeys running ${counts?.running ?? '?'}, ended ${counts?.closed ?? '?'}, ` +
            `faults ${faults.windows.length}/${plan.length}, SMS ${sms.messages.length}`,
        );
      }
      const done = played && faults.done && counts?.running === 0 && commits.caughtUp;
      if (done && doneBefore) break; // twice in a row: visibility lags a little
      doneBefore = done;
      if (Date.now() > deadline) {
        timedOut = true;
        say('ran out of time before every journey ended');
        break;
      }
      await sleep(POLL_MS);
    }
    await playing;
    await operator.finish();
    await faults.finish(true);
    await sleep(3_000); // a late duplicate would arrive in this time
    if (!(await consumedToTheEnd(admin, names.topic, names.group, Math.min(deadline, Date.now() + 30_000)))) {
      stuckPartitions = await lagging(admin, names.topic, names.group);
      say(`${stuckPartitions} partition(s) not consumed to the end`);
    }
  } finally {
    commits.stop();
    await faults.finish(true);
    await supervisor.stopAll();
    if (restartsServices) await ensureStackServices(say);
  }

  const deliveries = await new Inbox(config.MAILPIT_URL, `fuzz-${runId}.example`, sms, customers).read();
  const ledger = await ledgerRows(
    database.url,
    customers.map((customer) => customer.customerId),
  );
  const identified = identify(ledger, deliveries);
  const deadLetters = (await admin.fetchTopicOffsets(names.dlq)).reduce(
    (sum, partition) => sum + Number(partition.high),
    0,
  );
  await terminateLeftovers(
    client,
    names.taskQueue,
    timedOut ? 'fuzz run timed out' : 'fuzz run over (a journey outside its model: post-purchase)',
  );

  const totals = noViolations();
  const byStory: Record<string, Violations & { customers: number }> = {};
  const expectations = { must: 0, may: 0, mustNot: 0 };
  const mayBecause: Record<string, number> = {};
  const failing: FailingCustomer[] = [];
  let delivered = 0;
  const played = new Map(
    customers.map((customer) => [
      customer.customerId,
      (timed.get(customer.customerId) ?? []).map((action) => {
        const kafka = offsets.get(action);
        const handledBy = kafka ? commits.seenBy(kafka.partition, kafka.offset) : undefined;
        return handledBy === undefined ? action : { ...action, handledBy };
      }),
    ]),
  );
  const outages = observedSmtpOutages(smtp.upstreamFailures);
  if (outages.length)
    say(
      `the SMTP server itself was unavailable ${outages.length} time(s) (not a fault of this run): ` +
        `${outages.map((w) => new Date(w.from).toISOString().slice(11, 19)).join(', ')}`,
    );
  const modelFaults = [...faults.windows, ...outages];
  // First pass: due times, to measure the worker's lag against the ledger's contact times.
  const rowsOf = new Map<string, LedgerRow[]>();
  for (const row of ledger) rowsOf.set(row.customer_id, [...(rowsOf.get(row.customer_id) ?? []), row]);
  const samples = customers.flatMap((customer) =>
    expectedWithOperator(played.get(customer.customerId)!, FUZZ_SETTINGS, modelFaults, operator.timeline).flatMap(
      (message) => {
        const row = rowsOf
          .get(customer.customerId)
          ?.find((r) => r.campaign === message.campaign && r.step === message.step && r.channel === message.channel);
        // only sends whose due time the model knows within a second and that no fault held: their delay is the worker's
        const unheld = message.window.hi - (message.dueAt + message.dueSpreadMs) <= MODEL_TIMING.sendLatencyMs;
        return row?.contact_at && message.dueAt > 0 && message.dueSpreadMs <= 1_000 && unheld
          ? [{ dueAt: message.dueAt, contactAt: row.contact_at.getTime() }]
          : [];
      },
    ),
  );
  const timing = { ...MODEL_TIMING, sendLagAt: lagFromLedger(samples) };
  for (const customer of customers) {
    const actions = played.get(customer.customerId)!;
    const expected = expectedWithOperator(actions, FUZZ_SETTINGS, modelFaults, operator.timeline, timing);
    for (const message of expected) {
      expectations[message.expectation] += 1;
      if (message.expectation === 'may') mayBecause[message.why] = (mayBecause[message.why] ?? 0) + 1;
    }
    const received = identified.get(customer.customerId) ?? [];
    delivered += received.length;
    const verdict = judgeCustomer(expected, received, FUZZ_SETTINGS.frequencyWindow);
    const story = (byStory[customer.story] ??= { ...noViolations(), customers: 0 });
    story.customers += 1;
    for (const kind of VIOLATION_KINDS) {
      story[kind] += verdict.violations[kind];
      totals[kind] += verdict.violations[kind];
    }
    if (!isClean(verdict.violations)) {
      const start = actions.length ? Math.min(...actions.map((a) => a.publishedAt)) : 0;
      failing.push({
        index: customer.index,
        customerId: customer.customerId,
        story: customer.story,
        startedAt: new Date(start).toISOString(),
        violations: verdict.violations,
        problems: verdict.problems,
        received: verdict.received,
        expected: expected
          .filter((m) => !(m.expectation === 'mustNot' && m.why === 'not planned'))
          .map((m) => `${m.campaign}/${m.step}/${m.channel} ${m.expectation} (${m.why})`),
        sequence: actions.map((a) =>
          JSON.stringify({
            ...a,
            publishedAt: a.publishedAt - start,
            ackedAt: a.ackedAt === undefined ? undefined : a.ackedAt - start,
            occurredAtMs: a.occurredAtMs - start,
          }),
        ),
        ledger: (rowsOf.get(customer.customerId) ?? []).map(
          (row) =>
            `${row.campaign}/${row.step}/${row.channel} ${row.state} ` +
            `(attempts ${row.attempts}, contact ${row.contact_at?.toISOString().slice(11, 23) ?? '-'})` +
            `${row.reason ? `: ${row.reason}` : ''}`,
        ),
        replay: `${replay} --only ${customer.index}`,
      });
    }
  }
  const injected = faults.injected();
  const report: FuzzReport = {
    runId,
    finishedAt: new Date().toISOString(),
    seed: options.seed,
    customers: options.customers,
    only: options.only,
    minutes: (Date.now() - startedAt) / 60_000,
    timedOut,
    clean: false,
    settings: JSON.parse(campaignSettingsJson(FUZZ_SETTINGS)) as object,
    operator: operator.timeline,
    operatorFailures: operator.failures,
    smtpServerOutages: outages,
    faultKindsSelected: options.faults,
    faultsInjected: injected,
    faultsNotInjected: options.faults.filter((kind) => !injected[kind]),
    faultFailures: faults.failures,
    faultWindows: faults.windows.map((w) => ({
      ...w,
      fromS: (w.from - startedAt) / 1000,
      toS: (w.to - startedAt) / 1000,
    })),
    events: { ...counters, deadLetters },
    expectations,
    mayBecause,
    delivered,
    totals: { ...totals, stuckPartitions },
    byStory,
    failing,
  };
  report.clean =
    !timedOut &&
    isClean(totals) &&
    stuckPartitions === 0 &&
    deadLetters === 0 &&
    report.faultsNotInjected.length === 0 &&
    faults.failures.length === 0 &&
    operator.failures.length === 0;
  await smtp.stop();
  await operatorDb.destroy();
  await database.drop().catch((error: unknown) => say(`could not drop ${database.name}: ${(error as Error).message}`));
  await lane.close();
  clearTimeout(hardStop);

  const jsonPath = resolve(options.json);
  writeReport(jsonPath, report);
  process.stdout.write(formatReport(report));
  // Exit once the output is written: a client that met a restarted service can keep a handle open.
  process.stdout.write(`JSON: ${jsonPath}\n`, () => process.exit(report.clean ? 0 : 1));
}

interface Io {
  producer: Producer;
  topic: string;
  journeys: JourneyClient;
  deadline: number;
  counters: { published: number; cancels: number };
  offsets: Map<TimedAction, { partition: number; offset: number }>;
}

/**
 * Publishes the event (occurredAt stamped now, plus its skew) or sends the cancel; retried through
 * a restart until the deadline.
 */
async function perform(customer: GeneratedCustomer, action: FuzzAction, io: Io): Promise<TimedAction> {
  const publishedAt = Date.now();
  const occurredAtMs = publishedAt + (action.kind === 'event' ? action.skewMs : 0);
  for (;;) {
    try {
      if (action.kind === 'event') {
        const event = {
          eventId: action.eventId,
          type: action.type,
          customerId: customer.customerId,
          occurredAt: new Date(occurredAtMs).toISOString(),
          properties: action.properties,
        };
        const [record] = await io.producer.send({
          topic: io.topic,
          acks: -1,
          messages: [{ key: customer.customerId, value: JSON.stringify(event) }],
        });
        io.counters.published += 1;
        const done: TimedAction = { ...action, publishedAt, ackedAt: Date.now(), occurredAtMs };
        if (record?.baseOffset !== undefined)
          io.offsets.set(done, { partition: record.partition, offset: Number(record.baseOffset) });
        return done;
      }
      await io.journeys.cancel(action.campaign, customer.customerId, 'fuzz: operator cancel');
      io.counters.cancels += 1;
      return { ...action, publishedAt, ackedAt: Date.now(), occurredAtMs };
    } catch (error) {
      if (Date.now() > io.deadline) throw error;
      await sleep(500);
    }
  }
}

async function lagging(admin: Admin, topic: string, group: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return ends.filter(
    (end) =>
      Number(end.high) > 0 &&
      Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1) < Number(end.high),
  ).length;
}

main().catch((error: unknown) => {
  if (error instanceof OptionsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`fuzz run failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
