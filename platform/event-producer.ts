import type { Producer } from 'kafkajs';
import { parseEvent, type CustomerEvent } from '../contract/events';

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/**
 * Validates events against the contract and produces them keyed by customerId, so one customer's
 * events stay in order.
 */
export async function produceEvents(
  producer: Producer,
  topic: string,
  events: unknown[],
  now = Date.now(),
): Promise<CustomerEvent[]> {
  const valid = events.map((raw, index) => {
    const text = JSON.stringify(raw);
    const customerId = (raw as { customerId?: unknown } | null)?.customerId;
    const parsed = parseEvent(text, typeof customerId === 'string' ? customerId : null, now);
    if (!parsed.ok) throw new InvalidEventError(`event #${index + 1} rejected (${parsed.reason}): ${parsed.detail}`);
    return parsed.event;
  });
  if (valid.length > 0) {
    await producer.send({
      topic,
      acks: -1,
      messages: valid.map((event) => ({ key: event.customerId, value: JSON.stringify(event) })),
    });
  }
  return valid;
}
