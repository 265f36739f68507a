import type { Producer } from 'kafkajs';
import type { ChaosCustomer } from './cast';
import { entry, exit, profile, type ChaosEvent } from './events';
import type { Delivery } from './inbox';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One in this many entry and exit events is published a second time, as a flaky producer would. */
const DUPLICATE_EVERY = 10;

/**
 * The scripted storefront of the chaos run. It publishes every customer's profile and entry event
 * to the run's own topic, then each exit (order, unsubscribe, visit) only once the message before it
 * has been seen delivered, so what every customer must receive is known exactly.
 */
export class ChaosStorefront {
  /** When each customer's exit event was handed to the producer (its first attempt, the strictest reading). */
  readonly exitPublishedAt = new Map<string, number>();
  duplicatesPublished = 0;
  eventsPublished = 0;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly cast: ChaosCustomer[],
    private readonly deadline: number,
  ) {}

  get exitsPending(): number {
    return this.cast.filter((customer) => customer.exits && !this.exitPublishedAt.has(customer.customerId)).length;
  }

  /** Profiles first, then the entry events spread over `spreadMs`, each tenth one published twice. */
  async openJourneys(spreadMs: number): Promise<void> {
    for (let from = 0; from < this.cast.length; from += 250)
      await this.publish(this.cast.slice(from, from + 250).map(profile));
    const batchSize = 20;
    const batches = Math.ceil(this.cast.length / batchSize);
    let previous: ChaosCustomer[] = [];
    for (let batch = 0; batch < batches; batch += 1) {
      const customers = this.cast.slice(batch * batchSize, (batch + 1) * batchSize);
      const again = previous.filter((customer) => this.isDuplicated(customer)).map(entry);
      await this.publish([...customers.map(entry), ...again]);
      this.duplicatesPublished += again.length;
      previous = customers;
      await sleep(spreadMs / batches);
    }
    const last = previous.filter((customer) => this.isDuplicated(customer)).map(entry);
    await this.publish(last);
    this.duplicatesPublished += last.length;
  }

  /** Publishes the exit of every customer whose first message has now been delivered. */
  async publishDueExits(deliveries: Map<string, Delivery[]>): Promise<number> {
    const due = this.cast.filter(
      (customer) =>
        customer.exits &&
        !this.exitPublishedAt.has(customer.customerId) &&
        (deliveries.get(customer.customerId)?.length ?? 0) > 0,
    );
    if (due.length === 0) return 0;
    const at = Date.now();
    await this.publish(due.map(exit));
    for (const customer of due) this.exitPublishedAt.set(customer.customerId, at);
    const again = due.filter((customer) => this.isDuplicated(customer)).map(exit);
    await this.publish(again);
    this.duplicatesPublished += again.length;
    return due.length;
  }

  private isDuplicated(customer: ChaosCustomer): boolean {
    return Number(customer.customerId.split('-').pop()) % DUPLICATE_EVERY === 0;
  }

  /** Keyed by customer, acks from all replicas; retried through a broker restart until the run's deadline. */
  private async publish(events: ChaosEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (;;) {
      try {
        await this.producer.send({
          topic: this.topic,
          acks: -1,
          messages: events.map((event) => ({ key: event.customerId, value: JSON.stringify(event) })),
        });
        this.eventsPublished += events.length;
        return;
      } catch (error) {
        if (Date.now() > this.deadline) throw error;
        await sleep(1000);
      }
    }
  }
}
