import type { SendMailOptions, Transporter } from 'nodemailer';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { buildWorker } from '../../workers/build-worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';

/**
 * A worker process that dies with SIGKILL right after the SMTP server accepted its first message,
 * before the activity can confirm it: the ambiguous window of the delivery guarantee, on purpose.
 */
async function main(): Promise<void> {
  const config = loadConfig(workerConfigSchema);
  const logger = createLogger('crashing-worker', config.LOG_LEVEL);
  await installTemporalRuntime(logger, { level: 'WARN', metricsAddress: config.TEMPORAL_SDK_METRICS_ADDRESS });
  const worker = await buildWorker(config, logger, {
    decorateMailer: (mailer: Transporter) =>
      new Proxy(mailer, {
        get(target, property, receiver) {
          if (property !== 'sendMail') return Reflect.get(target, property, receiver) as unknown;
          return async (message: SendMailOptions) => {
            await target.sendMail(message);
            process.stdout.write('SMTP accepted the message; dying before the ledger hears of it\n');
            process.kill(process.pid, 'SIGKILL');
          };
        },
      }),
  });
  await worker.start();
  process.stdout.write('crashing worker polling\n');
}

void main();
