/**
 * The offsets of one fetched batch, in order, and which of them are acknowledged. Customers are
 * handled concurrently, so acknowledgements arrive out of order; only the unbroken acknowledged
 * prefix may be committed, so that a crash never skips a message still in flight.
 */
export class OffsetLedger {
  private readonly acknowledged = new Set<string>();
  private next = 0;

  constructor(private readonly offsets: readonly string[]) {}

  /** Marks the offset acknowledged; returns the last offset of the acknowledged prefix when it grew, else null. */
  acknowledge(offset: string): string | null {
    this.acknowledged.add(offset);
    let committable: string | null = null;
    while (this.next < this.offsets.length && this.acknowledged.has(this.offsets[this.next]!)) {
      committable = this.offsets[this.next]!;
      this.next += 1;
    }
    return committable;
  }

  /** True once every offset of the batch is acknowledged. */
  get complete(): boolean {
    return this.next === this.offsets.length;
  }
}
