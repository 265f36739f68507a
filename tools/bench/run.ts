import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Partitioners } from 'kafkajs';
import { z } from 'zod';
import { createDb } from '../../platform/db/database';
import { bridgeConfigSchema, loadConfig } from '../../platform/config';
import { createKafka } from '../../platform/kafka';
import { createLogger } from '../../platform/logger';
import { connectTemporalClient } from '../../platform/temporal/connection';
import { measureBridge } from './bridge-throughput';
import { measureCeiling } from './ceiling';
import { phaseNames, type BenchContext } from './context';
import { measureEventToMessage } from './event-to-message';
import { climbLadder } from './e2m-ladder';
import { measureCostRounds } from './cost-rounds';
import { measureNaive } from './naive-throughput';
import { parseBenchOptions } from './options';
import { machine, table, verdicts, type BenchResults } from './report';
import { terminateRunning } from './visibility';
import { measureWaitingJourneys } from './waiting-journeys';
import { measureAtDistance } from './distance';
import { measureBursty } from './bursty';
import { measureJourneyCost } from './journey-cost';
import { checkoutOf } from './code-before';

/**
 * The benchmark: the raw Temporal ceiling, the bridge, a naive bridge, event-to-message latency
 * and worker footprint with many waiting journeys, all on the local stack, each phase on a topic,
 * consumer group and task queue of its own. Prints a table and writes JSON. Not a test: figures
 * are reported, never asserted, except that nothing may be lost or sent twice.
 */
async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  const config = loadConfig(bridgeConfigSchema.extend({ MAILPIT_URL: z.url().default('http://127.0.0.1:8025') }), {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const logger = createLogger('bench', config.LOG_LEVEL);
  const runId = Date.now().toString(36);
  const logDir = resolve('test-artifacts', 'bench', runId);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const kafka = createKafka(config, logger, '-bench');
  const admin = kafka.admin();
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const client = await connectTemporalClient(config);
  const db = createDb(config.DATABASE_URL, 4);
  await admin.connect();
  await producer.connect();
  const context: BenchContext = {
    runId,
    config,
    taskQueues: new Set(),
    client,
    admin,
    producer,
    db,
    partitions: options.partitions ?? config.EVENTS_TOPIC_PARTITIONS,
    mailpitUrl: config.MAILPIT_URL,
    logDir,
    cpuProfiles: options.cpuProf,
    say,
  };
  const results: BenchResults = {};
  const run = (phase: (typeof options.phases)[number]) => options.phases.includes(phase);
  say(
    `Benchmark ${runId}${options.smoke ? ' (smoke: small numbers, correctness only)' : ''} ` +
      `on ${machine().cores} cores, ${machine().memoryGiB} GiB; ${context.partitions} partitions; ` +
      `process logs in ${logDir}`,
  );
  try {
    if (run('ceiling')) {
      const levels = await measureCeiling(
        client,
        phaseNames(context, 'ceiling').taskQueue,
        runId,
        options.ceilingEvents,
        options.concurrency,
        say,
      );
      results.ceiling = {
        levels,
        best: levels.reduce((best, level) => (level.perSecond > best.perSecond ? level : best)),
      };
    }
    const offered = options.rate ?? results.ceiling?.best.perSecond;
    if (run('bridge')) {
      if (!offered) throw new Error('the bridge phase needs the ceiling phase or --rate');
      results.bridge = await measureBridge(context, options.events, offered);
    }
    if (run('naive')) {
      results.naive = await measureNaive(context, kafka, options.naiveEvents);
      say(
        `naive    ${results.naive.routed}/${results.naive.produced} routed at ${results.naive.perSecond.toFixed(0)}/s`,
      );
    }
    // The code before issue 20, in a checkout of its own, measured in the same run as this one.
    const versions: Array<{ label: string; root?: string }> = [
      ...(options.before === 'none' ? [] : [{ label: 'before', root: checkoutOf(options.before) }]),
      { label: 'now' },
    ];
    if (run('distance')) {
      results.distance = [];
      for (const roundTripMs of options.rtt)
        results.distance.push(
          await measureAtDistance(
            context,
            kafka,
            roundTripMs,
            {
              ceiling: options.distanceEvents,
              concurrency: options.distanceConcurrency,
              naive: options.distanceNaiveEvents,
              bridge: options.distanceEvents,
            },
            versions.find((version) => version.label === 'before')?.root,
          ),
        );
    }
    if (run('bursty')) {
      results.bursty = [];
      for (const { label, root } of versions)
        results.bursty.push(await measureBursty(context, label, options.burstyCustomers, root));
    }
    if (run('cost')) {
      const { rounds, combined } = await measureCostRounds(versions, options.costRounds, ({ label, root }, round) =>
        measureJourneyCost(context, label, options.costJourneys, root, round),
      );
      results.costRounds = rounds;
      results.cost = combined;
    }
    if (run('e2m')) {
      results.eventToMessage = [];
      for (const { label, root } of versions) {
        const measure = (rate: number, attempt: number) =>
          measureEventToMessage(
            context,
            rate,
            Math.max(10, Math.round(rate * options.e2mSeconds)),
            attempt,
            label,
            root,
          );
        const ladder = { start: options.e2mStart, steps: options.e2mSteps, refine: options.e2mRefine };
        results.eventToMessage.push(...(await climbLadder(measure, ladder)));
      }
    }
    if (run('waiting')) results.waiting = await measureWaitingJourneys(context, options.waiting);
  } finally {
    const queues = [...context.taskQueues];
    say(
      `cleanup: ${await terminateRunning(client, queues, `bench-${runId}-cleanup`).catch(
        (error: unknown) => `could not terminate the benchmark's workflows: ${(error as Error).message}`,
      )}`,
    );
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(`bench-${runId}-`));
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
    await client.connection.close();
    await db.destroy();
  }

  const rows = verdicts(results);
  say('\nResults');
  for (const line of table(rows)) say(line);
  const jsonPath = resolve(options.json);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(
    jsonPath,
    `${JSON.stringify(
      { runId, at: new Date().toISOString(), machine: machine(), options, results, verdicts: rows },
      null,
      2,
    )}\n`,
  );
  say(`\nJSON: ${jsonPath}`);

  const lost = [
    results.bridge && results.bridge.routed !== results.bridge.produced,
    results.naive && results.naive.routed !== results.naive.produced,
    ...(results.eventToMessage ?? []).map(
      (measured) => measured.delivered !== measured.events || measured.duplicates > 0,
    ),
    ...(results.distance ?? []).map(
      (lane) => lane.bridge.routed !== lane.bridge.produced || lane.naive.routed !== lane.naive.produced,
    ),
    ...(results.bursty ?? []).map((mix) => mix.deadLettered > 0 || mix.browseJourneys !== mix.customers),
    ...(results.cost ?? []).map((entry) => entry.completed !== entry.journeys),
  ];
  if (lost.some(Boolean)) {
    say('Something was lost or sent twice: see the rows marked ✗.');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
