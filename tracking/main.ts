import { trackingConfigSchema } from '../platform/config';
import { loadConfigOrExit, runServices } from '../platform/run-services';
import { buildTracking } from './build-tracking';

const config = loadConfigOrExit(trackingConfigSchema);
runServices('tracking', config.LOG_LEVEL, (logger) => {
  const tracking = buildTracking(config, logger);
  return Promise.resolve([{ name: 'tracking', start: () => tracking.start(), stop: () => tracking.stop() }]);
});
