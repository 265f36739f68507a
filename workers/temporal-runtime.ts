import { createServer } from 'node:net';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../platform/logger';

const pinoLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Where the installed runtime's Prometheus exporter serves the SDK's metrics; null until installed. */
let sdkMetricsUrl: string | null = null;

/** The URL of the Temporal SDK's own /metrics in this process, for the worker's /metrics to include. */
export function temporalSdkMetricsUrl(): string | null {
  return sdkMetricsUrl;
}

/** `host:port`, with port 0 replaced by a port free now (the SDK's exporter cannot tell which it took). */
async function concreteAddress(address: string): Promise<{ host: string; port: number }> {
  const { hostname, port } = new URL(`http://${address}`);
  if (port !== '' && Number(port) !== 0) return { host: hostname, port: Number(port) };
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, hostname.replace(/^\[|\]$/g, ''), resolve);
  });
  const free = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return { host: hostname, port: free };
}

/**
 * Installs the Temporal SDK's runtime: its logs (worker, workflow and activity loggers) go into ours,
 * its metrics to a Prometheus exporter on `metricsAddress` (`host:port`; port 0: a free one), and
 * signal handling is left to our process runner. Call once per process, before any worker or
 * connection is created.
 */
export async function installTemporalRuntime(
  logger: Logger,
  options: { level?: LogLevel; metricsAddress: string },
): Promise<void> {
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  const { host, port } = await concreteAddress(options.metricsAddress);
  Runtime.install({
    // Our process runner owns SIGTERM/SIGINT, so that shutdown happens in order: bridge, then worker.
    shutdownSignals: [],
    logger: new DefaultLogger(options.level ?? 'INFO', ({ level: entryLevel, message, meta }) => {
      sdkLogger[pinoLevels[entryLevel]](meta ?? {}, message);
    }),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `${host}:${port}` } } },
  });
  sdkMetricsUrl = `http://${host}:${port}/metrics`;
}
