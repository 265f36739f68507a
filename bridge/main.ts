import { bridgeConfigSchema } from '../platform/config';
import { buildBridge } from './build-bridge';
import { loadConfigOrExit, runServices } from '../platform/run-services';

const config = loadConfigOrExit(bridgeConfigSchema);
runServices('bridge', config.LOG_LEVEL, async (logger) => {
  const bridge = await buildBridge(config, logger);
  return [{ name: 'bridge', start: () => bridge.start(), stop: () => bridge.stop(), failure: bridge.crashed }];
});
