import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import nodemailer from 'nodemailer';
import { createActivities, type ActivityDependencies } from '../activities';
import { emailSettingsFrom, smsSettingsFrom, smtpTransportOptions } from '../activities/channel-settings';
import { linkSettingsFrom } from '../activities/link-tracking';
import type { Db } from '../platform/db/database';
import { createDb } from '../platform/db/database';
import { parseOverrides } from '../contract/settings/overrides';
import type { WorkerConfig } from '../platform/config';
import type { Logger } from '../platform/logger';
import { createMetricsServer } from '../platform/metrics-server';
import { connectTemporal } from '../platform/temporal/connection';
import { temporalConnectionOptions } from '../platform/temporal/connection-options';
import { connectNativeTemporal } from './native-connection';
import { register } from 'prom-client';
import { bundleWorkflowsInChild } from './bundle-workflows';
import { seedTemplatesInBackground } from '../activities/templates/catalog';
import { serveLedgerGauges } from './ledger-gauges';
import { temporalSdkMetrics } from './sdk-metrics';
import { installTracing } from '../platform/tracing/tracing';
import { clientTracingInterceptors, workerTracingOptions } from '../platform/tracing/temporal';

export interface CampaignWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Settles when the worker stops; rejects if it fails. */
  readonly done: Promise<void>;
  /** Where /metrics is served, once started. */
  metricsUrl(): string | null;
}

/** Turns validated configuration and live connections into the activities' explicit dependencies. */
export function activityDependencies(
  config: WorkerConfig,
  live: { db: Db; mailer: Transporter; temporal: Client; logger: Logger },
): ActivityDependencies {
  return {
    ...live,
    reservationLeaseMs: config.DELIVERY_LEASE,
    deploymentOverrides: config.CAMPAIGN_SETTINGS ?? {},
    email: emailSettingsFrom(config, live.mailer),
    links: linkSettingsFrom(config),
    sms: smsSettingsFrom(config),
  };
}

/** The Temporal worker: journey workflows plus the channel activities that send messages. */
export async function buildWorker(
  config: WorkerConfig,
  logger: Logger,
  options: { decorateMailer?: (mailer: Transporter) => Transporter } = {},
): Promise<CampaignWorker> {
  const log = logger.child({ component: 'worker' });
  const tracing = installTracing(config, 'campaign-worker');
  parseOverrides(config.CAMPAIGN_SETTINGS ?? {}, 'CAMPAIGN_SETTINGS');
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE, (error) =>
    log.warn({ err: error }, 'a PostgreSQL connection was closed by the server; the pool replaces it'),
  );
  const transport = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, config.SMTP_POOL));
  const mailer = options.decorateMailer ? options.decorateMailer(transport) : transport;
  const temporalOptions = temporalConnectionOptions(config);
  const connection = await connectNativeTemporal(temporalOptions);
  const client = new Client({
    connection: await connectTemporal(temporalOptions),
    namespace: config.TEMPORAL_NAMESPACE,
    interceptors: clientTracingInterceptors(),
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowBundle: { code: await bundleWorkflowsInChild({ tracing: tracing.enabled }) },
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // A send learns that its journey ended through its heartbeats: at most a second late.
    maxHeartbeatThrottleInterval: '1 second',
    activities: createActivities(activityDependencies(config, { db, mailer, temporal: client, logger: log })),
    ...workerTracingOptions(tracing),
  });

  // The activities count on prom-client's default registry (activities/worker-metrics.ts); the Temporal
  // SDK's runtime metrics come from its own exporter (workers/temporal-runtime.ts).
  const metricsServer = createMetricsServer(
    register,
    config.WORKER_METRICS_HOST,
    config.WORKER_METRICS_PORT,
    temporalSdkMetrics(log),
  );
  let metricsUrl: string | null = null;
  let stopLedgerGauges: () => void = () => undefined;
  let running: Promise<void> | null = null;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined);

  return {
    done,
    metricsUrl: () => metricsUrl,
    async start() {
      stopLedgerGauges = serveLedgerGauges(db, log);
      metricsUrl = await metricsServer.start();
      running = worker.run().then(resolveDone, (error: unknown) => {
        rejectDone(error);
        throw error;
      });
      running.catch(() => undefined);
      log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, metrics: `${metricsUrl}/metrics` }, 'worker polling');
      if (['127.0.0.1', 'localhost', '[::1]'].includes(new URL(config.TRACKING_PUBLIC_URL).hostname)) {
        log.warn(
          { trackingPublicUrl: config.TRACKING_PUBLIC_URL },
          'links, unsubscribe URLs and Twilio callbacks in messages point at this machine: ' +
            'set TRACKING_PUBLIC_URL to the address customers and providers reach, except on a local stack',
        );
      }
      seedTemplatesInBackground(db, log);
    },
    async stop() {
      if (running) {
        worker.shutdown();
        await running.catch(() => undefined);
      }
      transport.close();
      await metricsServer.stop();
      stopLedgerGauges();
      await client.connection.close();
      await connection.close();
      await db.destroy();
      await tracing.flush();
      log.info('worker stopped');
    },
  };
}
