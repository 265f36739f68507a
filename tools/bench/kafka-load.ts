import type { Admin, Producer } from 'kafkajs';

export async function createTopics(admin: Admin, topics: string[], partitions: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
  });
}

export interface Produced {
  firstSentAt: number;
  lastAckedAt: number;
}

/**
 * Produces `count` events at `ratePerSecond`, each built at the moment its batch is sent (so its
 * occurredAt is its production time). Bounded by the count; the pace only slows it down.
 */
export async function producePaced(
  producer: Producer,
  topic: string,
  count: number,
  ratePerSecond: number,
  build: (index: number, now: Date) => { customerId: string },
): Promise<Produced> {
  const startedAt = Date.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((Date.now() - startedAt) / 1000) * ratePerSecond) + 1);
    if (due > sent) {
      const now = new Date();
      const messages = [];
      for (let index = sent; index < due; index += 1) {
        const event = build(index, now);
        messages.push({ key: event.customerId, value: JSON.stringify(event) });
      }
      await producer.send({ topic, acks: -1, messages });
      sent = due;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  return { firstSentAt: startedAt, lastAckedAt: Date.now() };
}

/** Produces `count` events as one backlog, in batches, as fast as the broker takes them. */
export async function produceBacklog(
  producer: Producer,
  topic: string,
  count: number,
  build: (index: number, now: Date) => { customerId: string },
): Promise<void> {
  for (let from = 0; from < count; from += 500) {
    const now = new Date();
    const messages = [];
    for (let index = from; index < Math.min(count, from + 500); index += 1) {
      const event = build(index, now);
      messages.push({ key: event.customerId, value: JSON.stringify(event) });
    }
    await producer.send({ topic, acks: -1, messages });
  }
}
