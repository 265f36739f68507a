import { adminConfigSchema } from '../platform/config';
import { buildAdmin } from './build-admin';
import { loadConfigOrExit, runServices } from '../platform/run-services';

const config = loadConfigOrExit(adminConfigSchema);
runServices('admin', config.LOG_LEVEL, async (logger) => {
  const admin = await buildAdmin(config, logger);
  return [{ name: 'admin', start: () => admin.start(), stop: () => admin.stop() }];
});
