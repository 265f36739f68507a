import { workerConfigSchema } from '../platform/config';
import { buildWorker } from './build-worker';
import { installTemporalRuntime } from './temporal-runtime';
import { loadConfigOrExit, runServices } from '../platform/run-services';

const config = loadConfigOrExit(workerConfigSchema);
runServices('worker', config.LOG_LEVEL, async (logger) => {
  await installTemporalRuntime(logger, { level: 'WARN', metricsAddress: config.TEMPORAL_SDK_METRICS_ADDRESS });
  const worker = await buildWorker(config, logger);
  return [{ name: 'worker', start: () => worker.start(), stop: () => worker.stop(), failure: worker.done }];
});
