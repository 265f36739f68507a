import type { Admin } from 'kafkajs';

const POLL_MS = 500;

/**
 * Watches the consumer group's committed offsets. The bridge commits an event's offset only after
 * the event was handled (the profile written, the journeys signalled), so the first moment its
 * partition's committed offset is seen past the event bounds when the journeys had it: the model
 * then needs no guess of the bridge's lag, however loaded the machine or long a fault.
 */
export class CommitWatcher {
  /** Per partition: [when, committed offset], each time it moved. */
  private readonly history = new Map<number, Array<[number, number]>>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private ends = new Map<number, number>();

  constructor(
    private readonly admin: Admin,
    private readonly topic: string,
    private readonly group: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      void this.poll();
    }, POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** When the event at `offset` of `partition` was first seen committed, if it was. */
  seenBy(partition: number, offset: number): number | undefined {
    return this.history.get(partition)?.find(([, committed]) => committed > offset)?.[0];
  }

  /** True when, at the last poll, the group had committed every partition up to the end it had then. */
  get caughtUp(): boolean {
    return [...this.ends].every(
      ([partition, end]) => end === 0 || (this.history.get(partition)?.at(-1)?.[1] ?? -1) >= end,
    );
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const [ends, [committed]] = await Promise.all([
        this.admin.fetchTopicOffsets(this.topic),
        this.admin.fetchOffsets({ groupId: this.group, topics: [this.topic] }),
      ]);
      const now = Date.now();
      this.ends = new Map(ends.map((end) => [end.partition, Number(end.high)]));
      for (const partition of committed?.partitions ?? []) {
        const offset = Number(partition.offset);
        const list = this.history.get(partition.partition) ?? [];
        if (offset >= 0 && (list.at(-1)?.[1] ?? -1) < offset) list.push([now, offset]);
        this.history.set(partition.partition, list);
      }
    } catch {
      // Kafka away for a moment: the next poll sees further, which only widens the bounds.
    } finally {
      this.polling = false;
    }
  }
}
