import type { Client } from '@temporalio/client';
import type { CustomerEvent } from '../../contract/events';
import { JourneyClient } from '../../platform/temporal/journeys';
import { UNTRACKED_PRESENCE } from '../../platform/temporal/journey-presence';
import { stackCpu } from './context';
import { cartUpdated } from './events';
import { inPool, percentiles, ratePerSecond, type Percentiles } from './stats';

export interface CeilingLevel {
  concurrency: number;
  count: number;
  perSecond: number;
  callLatencyMs: Percentiles;
  temporalCpuPercent: number;
}

/**
 * The raw ceiling: signalWithStart called straight from a script, exactly as the bridge calls it
 * (same workflow, options, search attributes and signal), at several concurrencies, on a task queue
 * no worker polls.
 */
export async function measureCeiling(
  client: Client,
  taskQueue: string,
  runId: string,
  count: number,
  concurrencies: number[],
  say: (line: string) => void,
): Promise<CeilingLevel[]> {
  const journeys = new JourneyClient(client, taskQueue, UNTRACKED_PRESENCE);
  const levels: CeilingLevel[] = [];
  for (const concurrency of concurrencies) {
    const latencies: number[] = [];
    const stack = stackCpu();
    const startedAt = Date.now();
    await inPool(count, concurrency, async (index) => {
      const sentAt = Date.now();
      await journeys.startOrSignal(
        'cart-abandonment',
        cartUpdated(runId, `ceil-${runId}-c${concurrency}-${index}`, new Date(sentAt)) as CustomerEvent,
      );
      latencies.push(Date.now() - sentAt);
    });
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const level = {
      concurrency,
      count,
      perSecond: ratePerSecond(count, startedAt, Date.now()),
      callLatencyMs: percentiles(latencies),
      temporalCpuPercent: (stack().temporalCpuSeconds / wallSeconds) * 100,
    };
    levels.push(level);
    say(
      `ceiling  concurrency ${String(concurrency).padStart(3)}: ${level.perSecond.toFixed(0)} signalWithStart/s ` +
        `(call p50 ${level.callLatencyMs.p50} ms, p99 ${level.callLatencyMs.p99} ms; ` +
        `Temporal server at ${level.temporalCpuPercent.toFixed(0)}% CPU)`,
    );
  }
  return levels;
}
