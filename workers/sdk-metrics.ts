import type { Logger } from '../platform/logger';
import type { MetricsAppendix } from '../platform/metrics-server';
import { temporalSdkMetricsUrl } from './temporal-runtime';

const FETCH_TIMEOUT_MS = 2_000;

/**
 * The Temporal SDK's runtime metrics (its Prometheus exporter in this process), read at each scrape
 * of the worker's /metrics. A failure is logged once until the exporter answers again.
 */
export function temporalSdkMetrics(logger: Logger): MetricsAppendix {
  let failing = false;
  const failed = (why: string) => {
    if (!failing) logger.warn({ reason: why }, "the Temporal SDK's metrics cannot be read; /metrics serves the others");
    failing = true;
    return '';
  };
  return async () => {
    const url = temporalSdkMetricsUrl();
    if (!url) return failed('the Temporal runtime was installed without its metrics exporter');
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) return failed(`HTTP ${response.status} from ${url}`);
      const text = await response.text();
      failing = false;
      return text;
    } catch (error) {
      return failed(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
