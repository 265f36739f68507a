import type { Client } from '@temporalio/client';
import { benchApp, phaseEnv, phaseNames, waitForQuietServer, type BenchContext } from './context';
import { cartUpdated } from './events';
import { createTopics, produceBacklog } from './kafka-load';
import { ratePerSecond } from './stats';
import { startTimes, waitForCount } from './visibility';
import { consumedToTheEnd } from '../chaos/replay';

export interface DrainResult {
  produced: number;
  routed: number;
  perSecond: number;
}

/**
 * The real bridge draining a backlog of cart events of distinct customers (one journey each), its
 * best case, as the naive bridge is measured: the rate from the first journey's start to the last's.
 */
export async function measureBridgeDrain(
  context: BenchContext,
  phase: string,
  count: number,
  env: Record<string, string> = {},
  root?: string,
): Promise<DrainResult> {
  return drainBacklog(context, phase, count, (names) =>
    benchApp(context, 'bridge', `${phase}-bridge`, phaseEnv(context, names, env), root),
  );
}

/**
 * Produces a backlog of `count` cart events of distinct customers on the phase's topic, then lets the
 * consumer drain it from an idle server, until its group has committed the backlog.
 */
export async function drainBacklog(
  context: BenchContext,
  phase: string,
  count: number,
  consumerOf: (names: ReturnType<typeof phaseNames>) => { start(): Promise<void>; stop(): Promise<void> },
): Promise<DrainResult> {
  const names = phaseNames(context, phase);
  await createTopics(context.admin, [names.topic, names.dlq], context.partitions);
  await produceBacklog(context.producer, names.topic, count, (index, now) =>
    cartUpdated(context.runId, `${phase}-${context.runId}-${index}`, now),
  );
  const consumer = consumerOf(names);
  await waitForQuietServer(context);
  await consumer.start();
  try {
    await consumedToTheEnd(context.admin, names.topic, names.group, Date.now() + drainTimeoutMs(count));
    return await drained(context.client, names.query, count);
  } finally {
    await consumer.stop();
  }
}

/** How long a drain of `count` events may take before it is reported as incomplete. */
export const drainTimeoutMs = (count: number) => Math.max(120_000, count * 200);

/**
 * Counts the journeys on the query (waiting for `count`), and the rate from the first start to the
 * last, once the consumer has committed the backlog (consumedToTheEnd): a visibility count
 * is a scan of every workflow the dev server holds, which polled each second took a third of the
 * server's CPU from the drain it measured once the server held 160,000 workflows.
 */
async function drained(client: Client, query: string, count: number): Promise<DrainResult> {
  const routed = await waitForCount(client, query, count, drainTimeoutMs(count));
  const starts = [...(await startTimes(client, query)).values()];
  return {
    produced: count,
    routed,
    perSecond: ratePerSecond(starts.length - 1, Math.min(...starts), Math.max(...starts)),
  };
}
