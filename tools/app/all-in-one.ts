import { adminConfigSchema, bridgeConfigSchema, trackingConfigSchema, workerConfigSchema } from '../../platform/config';
import { buildAdmin } from '../../admin/build-admin';
import { buildBridge } from '../../bridge/build-bridge';
import { buildTracking } from '../../tracking/build-tracking';
import { buildWorker } from '../../workers/build-worker';
import { installTemporalRuntime } from '../../workers/temporal-runtime';
import { loadConfigOrExit, runServices } from '../../platform/run-services';
import { installTracing } from '../../platform/tracing/tracing';

/** The local default: worker, bridge, admin API and tracking service in one process, stopped in reverse order. */
const workerConfig = loadConfigOrExit(workerConfigSchema);
const bridgeConfig = loadConfigOrExit(bridgeConfigSchema);
const adminConfig = loadConfigOrExit(adminConfigSchema);
const trackingConfig = loadConfigOrExit(trackingConfigSchema);

runServices('all-in-one', workerConfig.LOG_LEVEL, async (logger) => {
  await installTemporalRuntime(logger, { level: 'WARN', metricsAddress: workerConfig.TEMPORAL_SDK_METRICS_ADDRESS });
  installTracing(workerConfig, 'campaigns'); // one process, one service name on its spans
  const worker = await buildWorker(workerConfig, logger);
  const bridge = await buildBridge(bridgeConfig, logger);
  const admin = await buildAdmin(adminConfig, logger);
  const tracking = buildTracking(trackingConfig, logger);
  return [
    { name: 'worker', start: () => worker.start(), stop: () => worker.stop(), failure: worker.done },
    { name: 'bridge', start: () => bridge.start(), stop: () => bridge.stop(), failure: bridge.crashed },
    { name: 'admin', start: () => admin.start(), stop: () => admin.stop() },
    { name: 'tracking', start: () => tracking.start(), stop: () => tracking.stop() },
  ];
});
