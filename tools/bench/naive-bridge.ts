import type { Consumer, Kafka } from 'kafkajs';
import { parseEvent } from '../../contract/events';
import type { JourneyClient } from '../../platform/temporal/journeys';

/**
 * The baseline a first version would write: one consumer, one message at a time, each awaited
 * before the next (kafkajs eachMessage with one partition in flight). No DLQ, no retries: it
 * exists only to be measured against.
 */
export class NaiveBridge {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    groupId: string,
    private readonly journeys: JourneyClient,
  ) {
    this.consumer = kafka.consumer({ groupId });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      partitionsConsumedConcurrently: 1,
      eachMessage: async ({ message }) => {
        const parsed = parseEvent(message.value, message.key, Date.now());
        if (parsed.ok && parsed.event.type === 'cart.updated')
          await this.journeys.startOrSignal('cart-abandonment', parsed.event);
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
