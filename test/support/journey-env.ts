import { withoutHoldout } from '../../tools/without-holdout';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import nodemailer, { type Transporter } from 'nodemailer';
import { createActivities } from '../../activities';
import type { CustomerEvent } from '../../contract/events';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { JourneyClient } from '../../platform/temporal/journeys';
import { backfillPresence, postgresPresence } from '../../platform/temporal/journey-presence';
import { smtpTransportOptions } from '../../activities/channel-settings';
import { activityDependencies } from '../../workers/build-worker';
import { journeyWorkflowId, type CampaignType, type JourneyResult } from '../../contract/journeys';
import {
  TWILIO_SANDBOX_ACCOUNT_SID,
  TWILIO_SANDBOX_AUTH_TOKEN,
  TwilioSandbox,
} from '../../tools/sandbox/twilio-sandbox';
import { startTimeSkippingServer } from './time-skipping';
import { requireServices, runId } from './services';
import { bundleWorkflowsInChild } from '../../workers/bundle-workflows';

/**
 * Journeys on Temporal's time-skipping test server, with the real activities: PostgreSQL for the
 * ledger, caps and profiles, Mailpit for email, and the local Twilio-compatible server for SMS.
 * Days of waiting pass in seconds.
 */
export class JourneyTestEnv {
  env!: TestWorkflowEnvironment;
  db!: Db;
  journeys!: JourneyClient;
  private plainClient!: Client;
  readonly twilio = new TwilioSandbox();
  readonly taskQueue: string;
  private worker: Worker | null = null;
  private running: Promise<void> | null = null;
  private mailer!: Transporter;
  private counter = 0;

  constructor(
    readonly name: string,
    private readonly settingsOverrides: object = {},
    private readonly options: { stickyCache?: boolean } = {},
  ) {
    this.taskQueue = `ts-${name}-${runId}`;
  }

  async start(): Promise<void> {
    await requireServices(['postgres', 'smtp', 'mailpit']);
    this.env = await startTimeSkippingServer();
    const config = loadConfig(workerConfigSchema, { ...process.env, TEMPORAL_TASK_QUEUE: this.taskQueue });
    this.db = createDb(config.DATABASE_URL, 4);
    await migrateToLatest(this.db);
    this.mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, false));
    await this.twilio.start();
    this.plainClient = new Client({ connection: this.env.connection, namespace: this.env.namespace ?? 'default' });
    this.journeys = new JourneyClient(this.plainClient, this.taskQueue, postgresPresence(this.db));
    await backfillPresence(this.db, this.journeys);
    await this.startWorker();
  }

  /** (Re)starts the worker, e.g. after `stopWorker()` to simulate a deploy. */
  async startWorker(): Promise<void> {
    const config = loadConfig(workerConfigSchema, {
      ...process.env,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      TWILIO_ACCOUNT_SID: TWILIO_SANDBOX_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TWILIO_SANDBOX_AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_BASE_URL: this.twilio.baseUrl,
      CAMPAIGN_SETTINGS: JSON.stringify(withoutHoldout(this.settingsOverrides)),
    });
    const logger = createLogger(`journey-test-${this.name}`, process.env.TEST_LOG_LEVEL ?? 'warn');
    this.worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue: this.taskQueue,
      // Bundled once per version of the code, as the production worker does (workers/bundle-cache.ts).
      workflowBundle: { code: await bundleWorkflowsInChild({ tracing: false }) },
      ...(this.options.stickyCache === false ? { maxCachedWorkflows: 0 } : {}),
      activities: createActivities(
        activityDependencies(config, { db: this.db, mailer: this.mailer, temporal: this.env.client, logger }),
      ),
    });
    this.running = this.worker.run();
  }

  async stopWorker(): Promise<void> {
    this.worker?.shutdown();
    await this.running;
    this.worker = null;
  }

  async stop(): Promise<void> {
    await this.stopWorker().catch(() => undefined);
    await this.env?.teardown();
    await this.twilio.stop();
    this.mailer?.close();
    await this.db?.destroy();
  }

  customer(prefix: string): { customerId: string; email: string; phone: string } {
    this.counter += 1;
    const customerId = `${prefix}-${this.name}-${runId}-${this.counter}`;
    const phone =
      `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${String(this.counter).padStart(2, '0')}`.slice(0, 14);
    return { customerId, email: `${customerId}@example.test`, phone };
  }

  /** Events stamped with the test server's clock, so that "now" agrees with the journeys. */
  async now(): Promise<Date> {
    return new Date(await this.env.currentTimeMs());
  }

  async event(
    type: CustomerEvent['type'],
    customerId: string,
    properties: object,
    occurredAt?: Date,
  ): Promise<CustomerEvent> {
    this.counter += 1;
    return {
      eventId: `${type}-${customerId}-${this.counter}`,
      type,
      customerId,
      occurredAt: (occurredAt ?? (await this.now())).toISOString(),
      properties,
    } as CustomerEvent;
  }

  async profile(customerId: string, properties: object): Promise<void> {
    const event = await this.event('customer.updated', customerId, properties);
    if (event.type === 'customer.updated') await applyCustomerUpdated(this.db, event);
  }

  handle(campaign: CampaignType, customerId: string) {
    return this.plainClient.workflow.getHandle(journeyWorkflowId(campaign, customerId));
  }

  /**
   * The journey's result, after first skipping `skipMs` of journey time. Results are read with time
   * locked: the time-skipping client would otherwise race ahead to the next far-off timer (years).
   */
  async result(campaign: CampaignType, customerId: string, skipMs = 0): Promise<JourneyResult> {
    if (skipMs > 0) await this.env.sleep(skipMs);
    return (await this.plainClient.workflow
      .getHandle(journeyWorkflowId(campaign, customerId))
      .result()) as JourneyResult;
  }

  async ledger(customerId: string) {
    return this.db
      .selectFrom('deliveries')
      .select(['campaign', 'step', 'channel', 'state', 'reason', 'contact_at'])
      .where('customer_id', '=', customerId)
      .orderBy('contact_at')
      .orderBy('created_at')
      .execute();
  }
}
