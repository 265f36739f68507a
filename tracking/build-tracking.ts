import type { Server } from 'node:http';
import { createDb } from '../platform/db/database';
import type { TrackingConfig } from '../platform/config';
import { produceEvents } from '../platform/event-producer';
import { createKafka } from '../platform/kafka';
import type { Logger } from '../platform/logger';
import { createTrackingApp } from './app';
import { createHttpMetrics } from '../platform/http-metrics';
import { createMetricsServer } from '../platform/metrics-server';

export interface TrackingServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  address(): string;
  /** Where /metrics is served, once started. */
  metricsUrl(): string | null;
}

export function buildTracking(config: TrackingConfig, logger: Logger): TrackingServer {
  const log = logger.child({ component: 'tracking' });
  const db = createDb(config.DATABASE_URL, Math.min(config.DATABASE_POOL_SIZE, 5), (error) =>
    log.warn({ err: error }, 'a PostgreSQL connection was closed by the server; the pool replaces it'),
  );
  const producer = createKafka(config, log, '-tracking').producer({ idempotent: true, maxInFlightRequests: 1 });
  const metrics = createHttpMetrics('tracking', 'Tracking service');
  const metricsServer = createMetricsServer(
    metrics.registry,
    config.TRACKING_METRICS_HOST,
    config.TRACKING_METRICS_PORT,
  );
  let metricsUrl: string | null = null;
  const app = createTrackingApp(
    {
      db,
      logger: log,
      publish: async (event) => {
        await produceEvents(producer, config.EVENTS_TOPIC, [event]);
      },
      signingKeys: config.TRACKING_SIGNING_KEYS,
      publicUrl: config.TRACKING_PUBLIC_URL.replace(/\/$/, ''),
      now: () => Date.now(),
      twilioAuthToken: config.TWILIO_AUTH_TOKEN,
      sendgrid: config.SENDGRID_WEBHOOK_PUBLIC_KEY
        ? { publicKey: config.SENDGRID_WEBHOOK_PUBLIC_KEY, maxAgeMs: config.SENDGRID_WEBHOOK_MAX_AGE }
        : undefined,
    },
    {
      rateLimitPerMinute: config.TRACKING_RATE_LIMIT,
      trustedProxies: config.TRACKING_TRUSTED_PROXIES,
      measure: metrics.measure,
    },
  );
  let server: Server | null = null;

  function address(): string {
    const bound = server?.address();
    return bound && typeof bound === 'object'
      ? `http://${bound.address}:${bound.port}`
      : `http://${config.TRACKING_HOST}:${config.TRACKING_PORT}`;
  }

  return {
    async start() {
      await producer.connect();
      metricsUrl = await metricsServer.start();
      await new Promise<void>((resolve, reject) => {
        server = app.listen(config.TRACKING_PORT, config.TRACKING_HOST, (error) => (error ? reject(error) : resolve()));
      });
      log.info(
        { url: address(), publicUrl: config.TRACKING_PUBLIC_URL, metrics: `${metricsUrl}/metrics` },
        'tracking service listening',
      );
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await metricsServer.stop();
      await producer.disconnect();
      await db.destroy();
      log.info('tracking service stopped');
    },
    address,
    metricsUrl: () => metricsUrl,
  };
}
