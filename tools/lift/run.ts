import { resolve } from 'node:path';
import { Partitioners } from 'kafkajs';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { bridgeConfigSchema, loadConfig } from '../../platform/config';
import { createDb } from '../../platform/db/database';
import { createKafka } from '../../platform/kafka';
import { createLogger } from '../../platform/logger';
import { connectTemporalClient } from '../../platform/temporal/connection';
import { createTopics } from '../bench/kafka-load';
import { searchMailpit } from '../bench/mailpit';
import { ChildApp } from '../chaos/processes';
import { DrillAdmin } from '../drill/admin-api';
import {
  customerUpdated,
  productViewed,
  shoppersOf,
  type OrderOdds,
  type PlannedOrder,
  type Shopper,
} from './storefront';
import { groupsOf, playCrowd, produce, waitFor, type CrowdStage } from './crowd';
import { checkSeed, type CampaignReport, type SeedOutcome } from './checks';

/**
 * The lift run (docs/EXPERIMENTS.md#measured-lift): a simulated storefront of browsing shoppers on
 * the real stack, with a known truth, checked against the campaign report. Browse abandonment sends
 * one email per treated shopper; its default 10% holdout sends none.
 */

export const CAMPAIGN = 'browse-abandonment';
const STEP = 'browse-email';

export interface LiftOptions extends OrderOdds {
  customers: number;
  seeds: number;
  firstSeed: number;
  holdout: number;
  /** Replay the first seed's topic and check that nothing changes. */
  replay: boolean;
  maxMinutes: number;
}

export interface LiftSummary {
  runId: string;
  options: LiftOptions;
  seeds: SeedOutcome[];
  /** Seeds whose 95% interval covered the true lift (p1 − p0). */
  covered: number;
  /** Seeds that gave an interval at all (a group too small gives none). */
  estimated: number;
  /** Everything that contradicts the truth: the run fails on any. */
  failures: string[];
}

const campaignSettings = (holdout: number) =>
  JSON.stringify({
    [CAMPAIGN]: {
      emailDelay: '2s',
      holdout,
      assignmentSalt: 'lift',
      conversionWindow: '1h',
      variants: {
        [STEP]: [
          { name: 'after-2s', weight: 1 },
          { name: 'after-4s', weight: 1, delay: '4s' },
        ],
      },
    },
  });

export async function runLift(options: LiftOptions, say: (line: string) => void): Promise<LiftSummary> {
  const runId = Date.now().toString(36);
  const deadline = Date.now() + options.maxMinutes * 60_000;
  const logDir = resolve('test-artifacts', 'lift', runId);
  const config = loadConfig(bridgeConfigSchema.extend({ MAILPIT_URL: z.url().default('http://127.0.0.1:8025') }), {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const logger = createLogger('lift', config.LOG_LEVEL);
  const kafka = createKafka(config, logger, '-lift');
  const kafkaAdmin = kafka.admin();
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const names = {
    topic: `lift-${runId}`,
    dlq: `lift-${runId}.dlq`,
    group: `lift-${runId}`,
    taskQueue: `lift-${runId}`,
  };
  const env = {
    EVENTS_TOPIC: names.topic,
    DLQ_TOPIC: names.dlq,
    KAFKA_GROUP_ID: names.group,
    TEMPORAL_TASK_QUEUE: names.taskQueue,
    CAMPAIGN_SETTINGS: campaignSettings(options.holdout),
  };
  const db = createDb(config.DATABASE_URL, 4);
  const temporal = await connectTemporalClient(config);
  const worker = new ChildApp('worker', 'lift-worker', env, logDir);
  const bridge = new ChildApp('bridge', 'lift-bridge', env, logDir);
  const admin = new DrillAdmin(env, logDir);
  const seeds: SeedOutcome[] = [];
  // Interrupted, the run takes its worker and bridge with it.
  const interrupted = () => {
    worker.killNow();
    bridge.killNow();
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    await kafkaAdmin.connect();
    await producer.connect();
    await createTopics(kafkaAdmin, [names.topic, names.dlq], config.EVENTS_TOPIC_PARTITIONS);
    await Promise.all([worker.start(), bridge.start(), admin.start()]);
    say(
      `lift run ${runId}: ${options.customers} shoppers per seed, ` +
        `p1 ${options.p1}, p0 ${options.p0}, holdout ${options.holdout}`,
    );
    for (let seed = options.firstSeed; seed < options.firstSeed + options.seeds; seed += 1) {
      if (Date.now() > deadline) throw new Error(`the run passed its ${options.maxMinutes} minutes`);
      const publish = async (events: Array<{ customerId: string }>) => {
        const messages = events.map((event) => ({ key: event.customerId, value: JSON.stringify(event) }));
        await producer.send({ topic: names.topic, acks: -1, messages });
      };
      const stage = {
        db,
        publish,
        temporal,
        admin,
        mailpitUrl: config.MAILPIT_URL,
        taskQueue: names.taskQueue,
        deadline,
      };
      const outcome = await playSeed(stage, runId, seed, options, options.replay && seed === options.firstSeed, say);
      seeds.push(outcome);
    }
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    await Promise.allSettled([bridge.stop(), worker.stop(), admin.stop()]);
    await terminateLeftovers(temporal, names.taskQueue).catch((error: Error) => say(`cleanup: ${error.message}`));
    await Promise.allSettled([producer.disconnect(), kafkaAdmin.disconnect(), db.destroy()]);
    await temporal.connection.close();
  }
  const estimated = seeds.filter((seed) => seed.interval !== null);
  return {
    runId,
    options,
    seeds,
    covered: estimated.filter((seed) => seed.covers).length,
    estimated: estimated.length,
    failures: seeds.flatMap((seed) => seed.failures.map((failure) => `seed ${seed.seed}: ${failure}`)),
  };
}

interface Stage extends CrowdStage {
  temporal: Client;
  admin: DrillAdmin;
  taskQueue: string;
}

async function playSeed(
  stage: Stage,
  runId: string,
  seed: number,
  options: LiftOptions,
  replay: boolean,
  say: (line: string) => void,
): Promise<SeedOutcome> {
  const label = `lift-${runId}-s${seed}`;
  const domain = `s${seed}.${runId}.lift.example`;
  const shoppers = shoppersOf(label, options.customers, domain);
  const from = new Date(Date.now() - 1_000);

  const { mailbox, orders } = await playCrowd(stage, { label, domain, shoppers, seed, odds: options });

  const to = new Date(Date.now() + 1_000);
  const query = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const report = await stage.admin.request<CampaignReport>('GET', `/campaigns/${CAMPAIGN}/report?${query}`);
  const byVariant = await stage.admin.request<CampaignReport>(
    'GET',
    `/campaigns/${CAMPAIGN}/report?${query}&step=${STEP}`,
  );
  if (report.status !== 200 || byVariant.status !== 200)
    throw new Error(`the report answered ${report.status}/${byVariant.status}: ${JSON.stringify(report.body)}`);

  const groups = await groupsOf(stage.db, label);
  const replayed = replay ? await replayTopic(stage, shoppers, label, domain, mailbox.length, groups) : null;
  const outcome = checkSeed({
    seed,
    odds: options,
    shoppers,
    groups,
    mailbox,
    orders,
    report: report.body,
    byVariant: byVariant.body,
    replayed,
  });
  say(describeSeed(outcome, orders));
  return outcome;
}

/**
 * Ends the journeys the run leaves running on its task queue, whose worker is gone: the post-purchase
 * journeys its orders started, which would otherwise wait for days.
 */
async function terminateLeftovers(temporal: Client, taskQueue: string): Promise<void> {
  for await (const execution of temporal.workflow.list({
    query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`,
  })) {
    await temporal.workflow.getHandle(execution.workflowId, execution.runId).terminate('the lift run is over');
  }
}

/**
 * Replays the seed's whole topic (every profile and view again, same event IDs) and waits for the
 * journeys it starts to close: no shopper may be messaged again or dealt differently.
 */
async function replayTopic(
  stage: Stage,
  shoppers: readonly Shopper[],
  label: string,
  domain: string,
  emailsBefore: number,
  groupsBefore: Map<string, string>,
) {
  const since = new Date(Date.now() - 1_000).toISOString();
  await produce(stage, (now) =>
    shoppers.flatMap((shopper) => [customerUpdated(shopper, now), productViewed(shopper, now)]),
  );
  const replayed =
    `TaskQueue = "${stage.taskQueue}" AND WorkflowType = "browseAbandonmentWorkflow" ` + `AND StartTime > "${since}"`;
  const count = async (query: string) => (await stage.temporal.workflow.count(query)).count;
  await waitFor(stage, 'the replayed journeys to start', () => count(replayed), shoppers.length);
  await waitFor(stage, 'the replayed journeys to close', () => count(`${replayed} AND ExecutionStatus = "Running"`), 0);
  await new Promise((resolve) => setTimeout(resolve, 5_000)); // a second email would be in Mailpit by now
  const emailsAfter = (await searchMailpit(stage.mailpitUrl, `to:"${domain}"`)).length;
  const groupsAfter = await groupsOf(stage.db, label);
  const changed = [...groupsBefore].filter(([customerId, dealt]) => groupsAfter.get(customerId) !== dealt).length;
  return { emailsBefore, emailsAfter, dealtDifferently: changed, journeysAfter: groupsAfter.size };
}

function describeSeed(outcome: SeedOutcome, orders: PlannedOrder[]): string {
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  const interval = outcome.interval
    ? `[${pct(outcome.interval[0])}, ${pct(outcome.interval[1])}] ` +
      `${outcome.covers ? 'covers' : 'misses'} the true ${pct(outcome.trueLift)}`
    : `no interval (${outcome.note})`;
  return (
    `seed ${outcome.seed}: treated ${outcome.treated.converted}/${outcome.treated.entered} ordered, ` +
    `held out ${outcome.holdout.converted}/${outcome.holdout.entered}; ${orders.length} orders; ` +
    `lift ${outcome.estimate === null ? 'n/a' : pct(outcome.estimate)} ${interval}` +
    (outcome.failures.length ? `; FAILED: ${outcome.failures.join('; ')}` : '')
  );
}
