import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger';

const pinoLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error',
};

/** Routes the Temporal SDK's own logs (worker, workflow and activity loggers) into ours. Call once per process. */
export function installTemporalRuntimeLogging(logger: Logger, level: LogLevel = 'INFO'): void {
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: entryLevel, message, meta }) => {
      sdkLogger[pinoLevels[entryLevel]](meta ?? {}, message);
    }),
  });
}
