import { createLogger } from '../../platform/logger';
import { installTemporalRuntimeLogging } from '../../workers/runtime-logging';

let installed = false;

/** The Temporal runtime can be installed once per process; every test helper goes through here. */
export function installRuntimeLoggingOnce(): void {
  if (installed) return;
  installTemporalRuntimeLogging(createLogger('temporal-sdk-test', process.env.TEST_LOG_LEVEL ?? 'warn'), 'WARN');
  installed = true;
}
