import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Producer } from 'kafkajs';
import type { SigningKey } from '../../platform/config';
import type { Db } from '../../platform/db/database';
import { produceEvents } from '../../platform/event-producer';
import type { Logger } from '../../platform/logger';
import { createTrackingApp } from '../../tracking/app';
import { createHttpMetrics } from '../../platform/http-metrics';
import { createMetricsServer } from '../../platform/metrics-server';

export interface TestTrackingOptions {
  db: Db;
  producer: Producer;
  topic: string;
  logger: Logger;
  signingKeys: SigningKey[];
  twilioAuthToken?: string | undefined;
  sendgridPublicKey?: string | undefined;
}

/**
 * The real tracking service (its express app) on 127.0.0.1 and a free port, publishing to a test's
 * own topic. Its clock can be moved ahead, so that a test can follow a link after it expired.
 */
export class TestTracking {
  private server: Server | null = null;
  private clockOffsetMs = 0;
  private readonly metrics = createHttpMetrics('tracking', 'Tracking service');
  private readonly metricsServer = createMetricsServer(this.metrics.registry, '127.0.0.1', 0);
  /** Where its /metrics is served (on a port of its own, as the real service does), once started. */
  metricsUrl: string | null = null;

  async start(options: TestTrackingOptions): Promise<string> {
    this.server = createServer();
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    const app = createTrackingApp(
      {
        db: options.db,
        logger: options.logger,
        publish: async (event) => {
          await produceEvents(options.producer, options.topic, [event]);
        },
        signingKeys: options.signingKeys,
        publicUrl: this.url,
        now: () => Date.now() + this.clockOffsetMs,
        twilioAuthToken: options.twilioAuthToken,
        sendgrid: options.sendgridPublicKey ? { publicKey: options.sendgridPublicKey, maxAgeMs: 600_000 } : undefined,
      },
      { rateLimitPerMinute: 10_000, trustedProxies: 0, measure: this.metrics.measure },
    );
    this.metricsUrl = `${await this.metricsServer.start()}/metrics`;
    this.server.on('request', app);
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The tracking service's clock runs this much ahead from now on. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  async stop(): Promise<void> {
    await this.metricsServer.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
