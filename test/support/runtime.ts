import { createLogger } from '../../platform/logger';
import { installTemporalRuntime } from '../../workers/temporal-runtime';

let installed: Promise<void> | null = null;

/**
 * The Temporal runtime can be installed once per process; every test helper goes through here. Its
 * SDK metrics exporter takes a free port on 127.0.0.1, which the worker's /metrics includes.
 */
export function installRuntimeOnce(): Promise<void> {
  installed ??= installTemporalRuntime(createLogger('temporal-sdk-test', process.env.TEST_LOG_LEVEL ?? 'warn'), {
    level: 'WARN',
    metricsAddress: '127.0.0.1:0',
  });
  return installed;
}
