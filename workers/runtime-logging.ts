import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../platform/logger';

const pinoLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Routes the Temporal SDK's own logs (worker, workflow and activity loggers) into ours, and leaves
 * signal handling to our process runner. Call once per process, before any worker is created.
 */
export function installTemporalRuntimeLogging(logger: Logger, level: LogLevel = 'INFO'): void {
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    // Our process runner owns SIGTERM/SIGINT, so that shutdown happens in order: bridge, then worker.
    shutdownSignals: [],
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      sdkLogger[pinoLevels[entryLevel]](meta ?? {}, message);
    }),
  });
}
