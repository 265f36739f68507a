import { withoutHoldout } from '../../tools/without-holdout';
import { Client } from '@temporalio/client';
import { Partitioners, type Admin, type Consumer, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import { buildBridge, type Bridge } from '../../bridge/build-bridge';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import { bridgeConfigSchema, loadConfig, workerConfigSchema } from '../../platform/config';
import { createKafka } from '../../platform/kafka';
import { createLogger } from '../../platform/logger';
import { connectTemporal } from '../../platform/temporal/connection';
import { temporalConnectionOptions } from '../../platform/temporal/connection-options';
import { buildWorker, type CampaignWorker } from '../../workers/build-worker';
import { installRuntimeOnce } from './runtime';
import { TestTracking } from './tracking';
import { eventually, requireServices, runId } from './services';
import { terminateJourneysOn } from './temporal';
import { JourneyClient } from '../../platform/temporal/journeys';
import { postgresPresence } from '../../platform/temporal/journey-presence';

export interface DeadLetter {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * The real worker and bridge, running in the test process against the real stack, on a topic,
 * consumer group and task queue of their own so that tests never see each other's traffic.
 */
export class TestApp {
  readonly eventsTopic: string;
  readonly dlqTopic: string;
  readonly taskQueue: string;
  readonly deadLetters: DeadLetter[] = [];
  client!: Client;
  db!: Db;
  private kafka!: Kafka;
  private admin!: Admin;
  private producer!: Producer;
  private dlqConsumer!: Consumer;
  private worker: CampaignWorker | null = null;
  private bridge: Bridge | null = null;
  /** The tracking service, when started with `tracking`: its links and webhooks publish to this app's topic. */
  readonly tracking = new TestTracking();
  private trackingStarted = false;
  readonly groupId: string;
  /** The environment a bridge process needs to join this app's topic, group and task queue. */
  bridgeEnv: Record<string, string> = {};

  constructor(
    readonly name: string,
    readonly env: Record<string, string> = {},
    private readonly options: {
      inProcessBridge?: boolean;
      inProcessWorker?: boolean;
      /** Start the tracking service first, and point the worker's links at it. */
      tracking?: { sendgridPublicKey?: string };
    } = {},
  ) {
    const suffix = `${name}-${runId}`;
    this.eventsTopic = `it-events-${suffix}`;
    this.dlqTopic = `it-events-${suffix}.dlq`;
    this.taskQueue = `it-${suffix}`;
    this.groupId = `it-bridge-${suffix}`;
  }

  /** A journey client on this app's task queue that keeps the presence record, as the bridge's does. */
  journeyClient(): JourneyClient {
    return new JourneyClient(this.client, this.taskQueue, postgresPresence(this.db));
  }

  async start(): Promise<void> {
    await requireServices(['temporal', 'kafka', 'postgres', 'smtp', 'mailpit']);
    this.bridgeEnv = {
      EVENTS_TOPIC: this.eventsTopic,
      DLQ_TOPIC: this.dlqTopic,
      KAFKA_GROUP_ID: this.groupId,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      ...this.env,
      CAMPAIGN_SETTINGS: JSON.stringify(withoutHoldout(JSON.parse(this.env.CAMPAIGN_SETTINGS ?? '{}') as object)),
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...this.bridgeEnv,
    };
    const logger = createLogger(`test-${this.name}`, env.LOG_LEVEL);
    await installRuntimeOnce();
    const bridgeConfig = loadConfig(bridgeConfigSchema, env);

    this.db = createDb(bridgeConfig.DATABASE_URL, 2);
    await migrateToLatest(this.db);
    this.kafka = createKafka(bridgeConfig, logger, '-test');
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: this.eventsTopic, numPartitions: bridgeConfig.EVENTS_TOPIC_PARTITIONS, replicationFactor: 1 },
        { topic: this.dlqTopic, numPartitions: 1, replicationFactor: 1 },
      ],
    });
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await this.producer.connect();

    if (this.options.tracking) {
      const links = loadConfig(workerConfigSchema, env);
      env.TRACKING_PUBLIC_URL = await this.tracking.start({
        db: this.db,
        producer: this.producer,
        topic: this.eventsTopic,
        logger,
        signingKeys: links.TRACKING_SIGNING_KEYS,
        twilioAuthToken: links.TWILIO_AUTH_TOKEN,
        sendgridPublicKey: this.options.tracking.sendgridPublicKey,
      });
      this.trackingStarted = true;
    }
    const workerConfig = loadConfig(workerConfigSchema, env);

    this.dlqConsumer = this.kafka.consumer({ groupId: `${this.groupId}-dlq-reader` });
    await this.dlqConsumer.connect();
    await this.dlqConsumer.subscribe({ topic: this.dlqTopic, fromBeginning: true });
    await this.dlqConsumer.run({
      eachMessage: ({ message }) => {
        this.deadLetters.push(toDeadLetter(message));
        return Promise.resolve();
      },
    });

    const connection = await connectTemporal(temporalConnectionOptions(workerConfig));
    this.client = new Client({ connection, namespace: workerConfig.TEMPORAL_NAMESPACE });

    if (this.options.inProcessWorker !== false) {
      this.worker = await buildWorker(workerConfig, logger);
      await this.worker.start();
    }
    if (this.options.inProcessBridge !== false) {
      this.bridge = await buildBridge(bridgeConfig, logger);
      await this.bridge.start();
    }
  }

  /** The in-process worker's and bridge's /metrics URLs, once started, and the tracking service's if started. */
  metricsUrls(): { worker: string; bridge: string; tracking?: string } {
    const worker = this.worker?.metricsUrl();
    const bridge = this.bridge?.metricsUrl();
    if (!worker || !bridge) throw new Error('metricsUrls needs the in-process worker and bridge, started');
    const tracking = this.trackingStarted ? this.tracking.metricsUrl : null;
    return { worker: `${worker}/metrics`, bridge: `${bridge}/metrics`, ...(tracking ? { tracking } : {}) };
  }

  async produce(events: object[]): Promise<void> {
    await this.producer.send({
      topic: this.eventsTopic,
      acks: -1,
      messages: events.map((event) => ({
        key: (event as { customerId: string }).customerId,
        value: JSON.stringify(event),
      })),
    });
  }

  async produceRaw(
    messages: Array<{
      key: string | null;
      value: string | Buffer | null;
      partition?: number;
      headers?: Record<string, string>;
    }>,
  ): Promise<void> {
    await this.producer.send({ topic: this.eventsTopic, acks: -1, messages });
  }

  /** Waits until the bridge has committed every offset of the events topic. */
  async waitUntilConsumed(timeoutMs = 30_000): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(this.eventsTopic);
    await eventually(
      'the bridge to commit every event',
      async () => {
        const [committed] = await this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.eventsTopic] });
        return ends.every((end) => {
          const partition = committed?.partitions.find((entry) => entry.partition === end.partition);
          return Number(end.high) === 0 || Number(partition?.offset ?? -1) >= Number(end.high);
        });
      },
      (done) => done,
      timeoutMs,
    );
  }

  async stop(): Promise<void> {
    if (this.trackingStarted) await this.tracking.stop();
    await this.bridge?.stop();
    await this.worker?.stop();
    await terminateJourneysOn(this.taskQueue).catch(() => undefined);
    await this.dlqConsumer?.disconnect();
    await this.producer?.disconnect();
    await this.admin?.deleteTopics({ topics: [this.eventsTopic, this.dlqTopic] }).catch(() => undefined);
    await this.admin?.disconnect();
    await this.client?.connection.close();
    await this.db?.destroy();
  }
}

function toDeadLetter(message: KafkaMessage): DeadLetter {
  const headers = Object.fromEntries(
    Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  return { key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers };
}
