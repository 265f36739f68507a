import { workerConfigSchema } from '../platform/config';
import { buildWorker } from './build-worker';
import { installTemporalRuntimeLogging } from './runtime-logging';
import { loadConfigOrExit, runServices } from '../platform/run-services';

const config = loadConfigOrExit(workerConfigSchema);
runServices('worker', config.LOG_LEVEL, async (logger) => {
  installTemporalRuntimeLogging(logger, 'WARN');
  const worker = await buildWorker(config, logger);
  return [{ name: 'worker', start: () => worker.start(), stop: () => worker.stop(), failure: worker.done }];
});
