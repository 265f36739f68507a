import { workerConfigSchema } from '../lib/config';
import { buildWorker } from '../workers/build-worker';
import { installTemporalRuntimeLogging } from '../workers/runtime-logging';
import { loadConfigOrExit, runServices } from './run-services';

const config = loadConfigOrExit(workerConfigSchema);
runServices('worker', config.LOG_LEVEL, async (logger) => {
  installTemporalRuntimeLogging(logger, 'WARN');
  const worker = await buildWorker(config, logger);
  return [{ name: 'worker', start: () => worker.start(), stop: () => worker.stop(), failure: worker.done }];
});
