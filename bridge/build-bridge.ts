import type { Client } from '@temporalio/client';
import { Partitioners, type Consumer, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import { createDb, type Db } from '../platform/db/database';
import type { BridgeConfig } from '../platform/config';
import { createKafka } from '../platform/kafka';
import type { Logger } from '../platform/logger';
import { connectTemporalClient } from '../platform/temporal/connection';
import { JourneyClient } from '../platform/temporal/journeys';
import { backfillPresence, postgresPresence } from '../platform/temporal/journey-presence';
import {
  deadLetterMessage,
  isTooLargeForBroker,
  truncatedDeadLetterMessage,
  type DeadLetterSource,
} from './dead-letter';
import { handleParsed, type HandlerDependencies } from './handle-message';
import { retryUntilDone } from './retry';
import type { RoutingContext } from './routes';
import type { ParseResult, RejectionReason } from '../contract/events';
import { loadCurrentSettings } from '../platform/db/current-settings';
import { parseOverrides } from '../contract/settings/overrides';
import { cached } from '../platform/cached';
import { createMetricsServer } from '../platform/metrics-server';
import { createBridgeMetrics, type BridgeMetrics } from './metrics';
import { installTracing } from '../platform/tracing/tracing';
import { inConsumeSpan } from './consume-span';
import { OffsetLedger } from './offset-ledger';
import { customerLanes, forEachBounded } from './customer-lanes';
import { planUnits } from './bursts';
import { handleBurst } from './handle-burst';
import type { CustomerEvent } from '../contract/events';

/** The partition a batch came from, and what its handling may ask of the consumer. */
interface PartitionHandle {
  topic: string;
  partition: number;
  heartbeat: () => Promise<void>;
  isStopping: () => boolean;
}

export interface Bridge {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Rejects if the consumer crashes beyond kafkajs' own recovery. */
  readonly crashed: Promise<never>;
  readonly metrics: BridgeMetrics;
  /** Where /metrics is served, once started. */
  metricsUrl(): string | null;
}

/**
 * The Kafka-to-Temporal bridge. Each message is validated, routed and acknowledged by Temporal (or
 * written to the dead-letter topic) before kafkajs may commit its offset. Infrastructure failures
 * hold the message and retry it; nothing is skipped.
 */
export async function buildBridge(config: BridgeConfig, logger: Logger): Promise<Bridge> {
  const log = logger.child({ component: 'bridge' });
  const tracing = installTracing(config, 'campaign-bridge');
  parseOverrides(config.CAMPAIGN_SETTINGS ?? {}, 'CAMPAIGN_SETTINGS');
  const db: Db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE, (error) =>
    log.warn({ err: error }, 'a PostgreSQL connection was closed by the server; the pool replaces it'),
  );
  const client: Client = await connectTemporalClient(config);
  const journeys = new JourneyClient(client, config.TEMPORAL_TASK_QUEUE, postgresPresence(db));
  const routingContext = cached(30_000, async (): Promise<RoutingContext> => {
    const { resolved } = await loadCurrentSettings(db, config.CAMPAIGN_SETTINGS);
    return { settings: resolved.campaigns };
  });
  const kafka = createKafka(config, log);
  const consumer: Consumer = kafka.consumer({
    groupId: config.KAFKA_GROUP_ID,
    allowAutoTopicCreation: false,
    sessionTimeout: config.KAFKA_SESSION_TIMEOUT,
    heartbeatInterval: config.KAFKA_HEARTBEAT_INTERVAL,
    // kafkajs heartbeats between fetches: an idle fetch that waits longer than the heartbeat interval
    // would leave a survivor deaf to a rebalance (a killed peer's partitions) for up to 5 s more.
    maxWaitTimeInMs: Math.min(5_000, config.KAFKA_HEARTBEAT_INTERVAL),
  });
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const deps: HandlerDependencies = {
    journeys,
    db,
    now: () => Date.now(),
    routingContext,
    maxFutureSkewMs: config.EVENT_MAX_FUTURE_SKEW,
  };
  const metrics = createBridgeMetrics();
  const metricsServer = createMetricsServer(metrics.registry, config.METRICS_HOST, config.METRICS_PORT);
  let metricsUrl: string | null = null;
  let stopping = false;
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    metrics.lag.set({ topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag));
  });

  let reportCrash: (error: Error) => void = () => undefined;
  const crashed = new Promise<never>((_, reject) => {
    reportCrash = reject;
  });
  crashed.catch(() => undefined);
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) reportCrash(payload.error);
  });

  /**
   * Writes the dead letter; one too large for the broker is replaced by a truncated copy, so the
   * partition moves on.
   */
  async function deadLetter(source: DeadLetterSource, reason: RejectionReason, detail: string): Promise<void> {
    const now = new Date();
    try {
      await producer.send({
        topic: config.DLQ_TOPIC,
        acks: -1,
        messages: [deadLetterMessage(source, reason, detail, now)],
      });
    } catch (error) {
      if (!isTooLargeForBroker(error)) throw error;
      log.warn(
        { partition: source.partition, offset: source.message.offset, valueBytes: source.message.value?.length ?? 0 },
        'dead letter too large for the dead-letter topic; writing a truncated copy that points at the original',
      );
      await producer.send({
        topic: config.DLQ_TOPIC,
        acks: -1,
        messages: [truncatedDeadLetterMessage(source, reason, detail, now)],
      });
    }
  }

  /**
   * One fetched batch of a partition: its customers are handled concurrently (at most
   * BRIDGE_CUSTOMERS_IN_FLIGHT at once), each customer's messages in order, a burst of a customer's
   * journey events in one call per journey. An offset is resolved, and so may be committed, only
   * once every message before it is acknowledged; what is left unresolved (a rebalance, a shutdown)
   * is fetched again.
   */
  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const ledger = new OffsetLedger(batch.messages.map((message) => message.offset));
    const partition: PartitionHandle = {
      topic: batch.topic,
      partition: batch.partition,
      heartbeat: () => payload.heartbeat(),
      isStopping: () => stopping || !payload.isRunning() || payload.isStale(),
    };
    const context = await retryUntilDone(routingContext, retryOptions(partition, 'loading the campaign settings'));
    await forEachBounded(customerLanes(batch.messages), config.BRIDGE_CUSTOMERS_IN_FLIGHT, async (lane) => {
      const units = planUnits(lane, context, {
        maxEvents: config.BRIDGE_MAX_COALESCED_EVENTS,
        now: deps.now(),
        maxFutureSkewMs: config.EVENT_MAX_FUTURE_SKEW,
      });
      for (const unit of units) {
        if (partition.isStopping()) return;
        const messages = unit.kind === 'single' ? [unit.message] : unit.messages;
        metrics.consumed.inc({ topic: batch.topic }, messages.length);
        if (unit.kind === 'single') await routeMessage(partition, unit.message, unit.parsed);
        else await routeBurst(partition, unit.messages, unit.events);
        for (const message of messages) {
          const committable = ledger.acknowledge(message.offset);
          if (committable !== null) payload.resolveOffset(committable);
        }
      }
    });
  }

  function retryOptions(partition: PartitionHandle, what: string, offset?: string) {
    return {
      initialDelayMs: 200,
      maxDelayMs: 15_000,
      beforeAttempt: partition.heartbeat,
      heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL,
      isStopping: partition.isStopping,
      onRetry: (error: unknown, attempt: number, delayMs: number) => {
        metrics.retries.inc();
        log.warn(
          { err: error, partition: partition.partition, offset, attempt, delayMs },
          `${what}: not acknowledged yet; holding the customer's events and retrying`,
        );
      },
    };
  }

  async function routeMessage(partition: PartitionHandle, message: KafkaMessage, parsed: ParseResult): Promise<void> {
    const { topic } = partition;
    const consumedAt = Date.now();
    await inConsumeSpan({ topic, partition: partition.partition, messages: [message] }, (span) =>
      retryUntilDone(
        async () => {
          const result = await handleParsed(deps, parsed);
          span.settled(result);
          if (result.kind === 'rejected') {
            await deadLetter({ topic, partition: partition.partition, message }, result.reason, result.detail);
            metrics.deadLettered.inc({ reason: result.reason });
            log.warn(
              { partition: partition.partition, offset: message.offset, reason: result.reason, detail: result.detail },
              'event dead-lettered',
            );
            return;
          }
          observeRouted(result.event, consumedAt);
          log.debug(
            {
              partition: partition.partition,
              offset: message.offset,
              eventId: result.event.eventId,
              type: result.event.type,
              actions: result.actions.map(
                (action) => `${action.kind}:${'campaign' in action ? action.campaign : ''}:${action.effect}`,
              ),
            },
            'event routed',
          );
        },
        retryOptions(partition, 'event', message.offset),
      ),
    );
  }

  async function routeBurst(
    partition: PartitionHandle,
    messages: [KafkaMessage, ...KafkaMessage[]],
    events: CustomerEvent[],
  ): Promise<void> {
    const consumedAt = Date.now();
    await inConsumeSpan({ topic: partition.topic, partition: partition.partition, messages }, (span) =>
      retryUntilDone(
        async () => {
          const results = await handleBurst(journeys, events, await routingContext());
          span.settledBurst(results);
          for (const { event } of results) observeRouted(event, consumedAt);
          log.debug(
            {
              partition: partition.partition,
              offsets: `${messages[0].offset}..${messages[messages.length - 1]!.offset}`,
              events: results.length,
              actions: results.flatMap(({ event, actions }) =>
                actions.map((action) => `${event.eventId}:${action.kind}:${action.campaign}:${action.effect}`),
              ),
            },
            'burst routed',
          );
        },
        retryOptions(partition, 'burst', messages[0].offset),
      ),
    );
  }

  function observeRouted(event: CustomerEvent, consumedAt: number): void {
    const ackedAt = Date.now();
    metrics.routed.inc({ type: event.type });
    metrics.occurredToAck.observe(Math.max(0, ackedAt - Date.parse(event.occurredAt)) / 1000);
    metrics.consumedToAck.observe((ackedAt - consumedAt) / 1000);
  }

  return {
    crashed,
    metrics,
    metricsUrl: () => metricsUrl,
    async start() {
      metricsUrl = await metricsServer.start();
      const backfilled = await backfillPresence(db, journeys);
      if (backfilled > 0)
        log.info({ journeys: backfilled }, 'journey presence record backfilled with the running journeys');
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: config.EVENTS_TOPIC, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: config.EVENTS_TOPIC_PARTITIONS,
        eachBatchAutoResolve: false,
        eachBatch: processBatch,
      });
      log.info(
        { topic: config.EVENTS_TOPIC, groupId: config.KAFKA_GROUP_ID, metrics: `${metricsUrl}/metrics` },
        'bridge consuming',
      );
    },
    async stop() {
      stopping = true;
      await consumer.disconnect();
      await producer.disconnect();
      await metricsServer.stop();
      await client.connection.close();
      await db.destroy();
      await tracing.flush();
      log.info('bridge stopped');
    },
  };
}
