import type { Server } from 'node:http';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { emailSettingsFrom, smsSettingsFrom, smtpTransportOptions } from '../activities/channel-settings';
import { parseOverrides } from '../contract/settings/overrides';
import { createDb } from '../platform/db/database';
import type { AdminConfig } from '../platform/config';
import { createKafka } from '../platform/kafka';
import { READINESS_TIMEOUT_MS } from './readiness';
import type { Logger } from '../platform/logger';
import { connectTemporalClient, temporalUiUrl } from '../platform/temporal/connection';
import { CampaignWorkflows } from '../platform/temporal/campaigns';
import { JourneyClient } from '../platform/temporal/journeys';
import { postgresPresence } from '../platform/temporal/journey-presence';
import { createAdminApp } from './app';
import { createTestSender } from './test-sender';
import { previewUnsubscribeUrl } from '../activities/link-tracking';
import { seedTemplatesInBackground, templateCatalogOf } from '../activities/templates/catalog';
import { installTracing } from '../platform/tracing/tracing';

export interface AdminServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  address(): string;
}

export async function buildAdmin(config: AdminConfig, logger: Logger): Promise<AdminServer> {
  const log = logger.child({ component: 'admin' });
  // An operator's starts and cancels are traced from the admin API into the journeys they reach.
  const tracing = installTracing(config, 'campaign-admin');
  parseOverrides(config.CAMPAIGN_SETTINGS ?? {}, 'CAMPAIGN_SETTINGS');
  const db = createDb(config.DATABASE_URL, Math.min(config.DATABASE_POOL_SIZE, 5), (error) =>
    log.warn({ err: error }, 'a PostgreSQL connection was closed by the server; the pool replaces it'),
  );
  const client = await connectTemporalClient(config);
  // Used by /readyz alone: one attempt, bounded like the check, so that a broker that never answers
  // leaves no connection attempt running after the check (or holding up stop()).
  const kafkaAdmin = createKafka(config, log, '-admin', {
    retry: { retries: 0 },
    connectionTimeout: READINESS_TIMEOUT_MS,
    requestTimeout: READINESS_TIMEOUT_MS,
  }).admin();
  const mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, false));
  const email = emailSettingsFrom(config, mailer);
  const messageLinks = {
    storeUrl: config.STORE_URL,
    unsubscribeUrl: previewUnsubscribeUrl(config.TRACKING_PUBLIC_URL),
  };
  const app = createAdminApp({
    token: config.ADMIN_TOKEN,
    logger: log,
    rateLimitPerMinute: config.ADMIN_RATE_LIMIT,
    idempotencyRetentionMs: config.ADMIN_IDEMPOTENCY_TTL,
    idempotencyLeaseMs: config.ADMIN_IDEMPOTENCY_LEASE,
    readinessChecks: [
      {
        name: 'temporal',
        check: async (signal) => {
          await client.connection.withAbortSignal(signal, () => client.workflowService.getSystemInfo({}));
        },
      },
      {
        name: 'postgres',
        check: async () => {
          await sql`select 1`.execute(db);
        },
      },
      {
        name: 'kafka',
        check: async () => {
          await kafkaAdmin.connect();
          await kafkaAdmin.describeCluster();
        },
      },
    ],
    dependencies: {
      db,
      journeys: new JourneyClient(client, config.TEMPORAL_TASK_QUEUE, postgresPresence(db)),
      campaigns: new CampaignWorkflows(client, config.TEMPORAL_TASK_QUEUE, config.ADMIN_QUERY_TIMEOUT),
      deploymentOverrides: config.CAMPAIGN_SETTINGS ?? {},
      temporalUiUrl: (target) => temporalUiUrl(config, target),
      testSender: createTestSender(
        email,
        smsSettingsFrom(config),
        async (templateId) => (await templateCatalogOf(db).resolve(templateId)).content,
        messageLinks,
      ),
      messageLinks,
      stateQueryTimeoutMs: config.ADMIN_QUERY_TIMEOUT,
      pageTokenSecret: config.ADMIN_TOKEN,
    },
  });
  let server: Server | null = null;

  function address(): string {
    const bound = server?.address();
    return bound && typeof bound === 'object'
      ? `http://${bound.address}:${bound.port}`
      : `http://${config.ADMIN_HOST}:${config.ADMIN_PORT}`;
  }

  return {
    async start() {
      await new Promise<void>((resolve, reject) => {
        server = app.listen(config.ADMIN_PORT, config.ADMIN_HOST, (error) => (error ? reject(error) : resolve()));
      });
      log.info({ url: address() }, 'admin API listening');
      seedTemplatesInBackground(db, log);
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      mailer.close();
      await kafkaAdmin.disconnect();
      await client.connection.close();
      await db.destroy();
      await tracing.flush();
      log.info('admin API stopped');
    },
    address,
  };
}
