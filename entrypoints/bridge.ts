import { bridgeConfigSchema } from '../lib/config';
import { buildBridge } from '../bridge/build-bridge';
import { loadConfigOrExit, runServices } from './run-services';

const config = loadConfigOrExit(bridgeConfigSchema);
runServices('bridge', config.LOG_LEVEL, async (logger) => {
  const bridge = await buildBridge(config, logger);
  return [{ name: 'bridge', start: () => bridge.start(), stop: () => bridge.stop(), failure: bridge.crashed }];
});
