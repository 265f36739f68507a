import type { Admin } from 'kafkajs';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True once `groupId` has committed every partition of `topic` up to its end; false at the deadline. */
export async function consumedToTheEnd(
  admin: Admin,
  topic: string,
  groupId: string,
  deadline: number,
): Promise<boolean> {
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic)).map((partition) => [partition.partition, Number(partition.high)]),
  );
  while (Date.now() < deadline) {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const done = [...ends].every(([partition, end]) => {
      const offset = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      return end === 0 || offset >= end;
    });
    if (done) return true;
    await sleep(1000);
  }
  return false;
}
