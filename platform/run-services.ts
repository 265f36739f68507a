import type { z } from 'zod';
import { InvalidSettingsError } from '../contract/settings/overrides';
import { ConfigError, loadConfig } from './config';
import { createLogger, type Logger } from './logger';

export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Rejects when the service fails on its own after start. */
  failure?: Promise<unknown>;
}

/**
 * Runs a process made of services: starts them in order, stops them in reverse order on
 * SIGTERM/SIGINT (exit 0), and exits non-zero if any of them fails.
 */
export function runServices(
  processName: string,
  logLevel: string,
  build: (logger: Logger) => Promise<Service[]>,
): void {
  const logger = createLogger(processName, logLevel);
  let services: Service[] = [];
  let stopping = false;

  async function shutdown(exitCode: number, why: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ why }, 'shutting down');
    for (const service of [...services].reverse()) {
      try {
        await service.stop();
      } catch (error) {
        logger.error({ err: error, service: service.name }, 'error while stopping');
        exitCode = exitCode || 1;
      }
    }
    process.exit(exitCode);
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(0, signal));
  }
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection');
    void shutdown(1, 'unhandled rejection');
  });

  (async () => {
    services = await build(logger);
    for (const service of services) {
      await service.start();
      service.failure?.catch((error: unknown) => {
        logger.fatal({ err: error, service: service.name }, 'service failed');
        void shutdown(1, `${service.name} failed`);
      });
    }
    logger.info({ services: services.map((service) => service.name) }, `${processName} started`);
  })().catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof InvalidSettingsError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      logger.fatal({ err: error }, 'failed to start');
    }
    void shutdown(1, 'start-up failed');
  });
}

/** Loads a process's configuration, or prints every problem and exits 1. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S): z.infer<S> {
  try {
    return loadConfig(schema);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
