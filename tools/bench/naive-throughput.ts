import type { Client } from '@temporalio/client';
import type { Kafka } from 'kafkajs';
import { JourneyClient } from '../../platform/temporal/journeys';
import { UNTRACKED_PRESENCE } from '../../platform/temporal/journey-presence';
import type { BenchContext } from './context';
import { drainBacklog, type DrainResult } from './drain';
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
  return drainBacklog(
    context,
    phase,
    count,
    (names) =>
      new NaiveBridge(kafka, names.topic, names.group, new JourneyClient(client, names.taskQueue, UNTRACKED_PRESENCE)),
  );
}
