import { NativeConnection, Worker } from '@temporalio/worker';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { createActivities } from '../activities';
import { createDb } from '../db/database';
import type { WorkerConfig } from '../lib/config';
import type { Logger } from '../lib/logger';

export interface CampaignWorker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Settles when the worker stops; rejects if it fails. */
  readonly done: Promise<void>;
}

/** nodemailer options from an smtp:// or smtps:// URL, with timeouts that fit the activity's. */
export function smtpTransportOptions(smtpUrl: string, pool: boolean): SMTPPool.Options | SMTPTransport.Options {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const options = {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 5_000,
    socketTimeout: 20_000,
  };
  return pool ? { ...options, pool: true, maxConnections: 5 } : options;
}

/** The Temporal worker: journey workflows plus the channel activities that send messages. */
export async function buildWorker(config: WorkerConfig, logger: Logger): Promise<CampaignWorker> {
  const log = logger.child({ component: 'worker' });
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, config.SMTP_POOL));
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({
      db,
      mailer,
      from: config.EMAIL_FROM,
      messageIdDomain: config.MESSAGE_ID_DOMAIN,
      reservationLeaseMs: 60_000,
      logger: log,
    }),
  });

  let running: Promise<void> | null = null;
  let resolveDone: () => void = () => undefined;
  let rejectDone: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => { resolveDone = resolve; rejectDone = reject; });
  done.catch(() => undefined);

  return {
    done,
    start() {
      running = worker.run().then(resolveDone, (error: unknown) => { rejectDone(error); throw error; });
      running.catch(() => undefined);
      log.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker polling');
      return Promise.resolve();
    },
    async stop() {
      if (running) {
        worker.shutdown();
        await running.catch(() => undefined);
      }
      mailer.close();
      await connection.close();
      await db.destroy();
      log.info('worker stopped');
    },
  };
}
