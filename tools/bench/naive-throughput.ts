import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { JourneyClient } from '../../platform/temporal/journeys';
import { UNTRACKED_PRESENCE } from '../../platform/temporal/journey-presence';
import { phaseNames, waitForQuietServer, type BenchContext } from './context';
import { drained, drainTimeoutMs, type DrainResult } from './drain';
import { consumedToTheEnd } from '../chaos/replay';
import { cartUpdated } from './events';
import { createTopics, produceBacklog } from './kafka-load';
import { NaiveBridge } from './naive-bridge';

export type NaiveResult = DrainResult;

/**
 * The naive bridge draining a backlog: its best case, since it never waits for events. `client`:
 * the connection its calls go through (the local server, or the same through a latency proxy).
 */
export async function measureNaive(
  context: BenchContext,
  kafka: Kafka,
  count: number,
  { phase = 'naive', client = context.client }: { phase?: string; client?: Client } = {},
): Promise<NaiveResult> {
  const names = phaseNames(context, phase);
  await createTopics(context.admin, [names.topic], context.partitions);
  await produceBacklog(context.producer, names.topic, count, (index, now) =>
    cartUpdated(context.runId, `${phase}-${context.runId}-${index}`, now),
  );
  const naive = new NaiveBridge(
    kafka,
    names.topic,
    names.group,
    new JourneyClient(client, names.taskQueue, UNTRACKED_PRESENCE),
  );
  await waitForQuietServer(context);
  await naive.start();
  try {
    await consumedToTheEnd(context.admin, names.topic, names.group, Date.now() + drainTimeoutMs(count));
    return await drained(context.client, names.query, count);
  } finally {
    await naive.stop();
  }
}
