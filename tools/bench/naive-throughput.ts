import type { Kafka } from 'kafkajs';
import { JourneyClient } from '../../platform/temporal/journeys';
import { phaseNames, type BenchContext } from './context';
import { cartUpdated } from './events';
import { createTopics, produceBacklog } from './kafka-load';
import { NaiveBridge } from './naive-bridge';
import { ratePerSecond } from './stats';
import { startTimes, waitForCount } from './visibility';

export interface NaiveResult {
  produced: number;
  routed: number;
  perSecond: number;
}

/** The naive bridge draining a backlog: its best case, since it never waits for events. */
export async function measureNaive(context: BenchContext, kafka: Kafka, count: number): Promise<NaiveResult> {
  const names = phaseNames(context, 'naive');
  await createTopics(context.admin, [names.topic], context.partitions);
  await produceBacklog(context.producer, names.topic, count, (index, now) =>
    cartUpdated(context.runId, `nv-${context.runId}-${index}`, now),
  );
  const naive = new NaiveBridge(kafka, names.topic, names.group, new JourneyClient(context.client, names.taskQueue));
  await naive.start();
  try {
    const routed = await waitForCount(context.client, names.query, count, Math.max(120_000, count * 200));
    const starts = [...(await startTimes(context.client, names.query)).values()];
    const result = {
      produced: count,
      routed,
      perSecond: ratePerSecond(starts.length - 1, Math.min(...starts), Math.max(...starts)),
    };
    context.say(
      `naive    ${routed}/${count} routed at ${result.perSecond.toFixed(0)}/s (one message at a time, awaited)`,
    );
    return result;
  } finally {
    await naive.stop();
  }
}
