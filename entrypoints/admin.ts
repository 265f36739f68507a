import { adminConfigSchema } from '../lib/config';
import { buildAdmin } from '../admin/build-admin';
import { loadConfigOrExit, runServices } from './run-services';

const config = loadConfigOrExit(adminConfigSchema);
runServices('admin', config.LOG_LEVEL, async (logger) => {
  const admin = await buildAdmin(config, logger);
  return [{ name: 'admin', start: () => admin.start(), stop: () => admin.stop() }];
});
