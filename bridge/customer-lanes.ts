import type { KafkaMessage } from 'kafkajs';

/**
 * A batch's messages split by key (the customer ID), each lane in offset order. Events of one
 * customer must stay in order; events of different customers need not wait for each other.
 * Messages without a key share one lane (they are dead-lettered, in order).
 */
export function customerLanes(messages: readonly KafkaMessage[]): KafkaMessage[][] {
  const lanes = new Map<string, KafkaMessage[]>();
  for (const message of messages) {
    const key = message.key === null ? '' : `k:${message.key.toString('base64')}`;
    const lane = lanes.get(key);
    if (lane) lane.push(message);
    else lanes.set(key, [message]);
  }
  return [...lanes.values()];
}

/**
 * Runs `work` on every item, at most `limit` at once. After a failure no further item starts; once
 * those under way have settled, rejects with the first failure.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const runner = async () => {
    while (next < items.length && failures.length === 0) {
      const item = items[next]!;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  if (failures.length > 0) throw failures[0];
}
