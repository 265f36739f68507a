import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer, ProducerRecord } from 'kafkajs';
import { InvalidEventError, produceEvents } from '../../../platform/event-producer';

function recordingProducer(): { producer: Producer; sent: ProducerRecord[] } {
  const sent: ProducerRecord[] = [];
  const producer = {
    send: (record: ProducerRecord) => {
      sent.push(record);
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, sent };
}

const event = (customerId: string, eventId: string) => ({
  eventId,
  type: 'session.started',
  customerId,
  occurredAt: new Date().toISOString(),
  properties: {},
});

describe('producer command', () => {
  it('keys every event by its customerId, in one batch', async () => {
    const { producer, sent } = recordingProducer();
    await produceEvents(producer, 'customer-events', [event('c1', 'e1'), event('c2', 'e2')]);
    assert.equal(sent.length, 1);
    assert.deepEqual(
      sent[0]!.messages.map((message) => message.key),
      ['c1', 'c2'],
    );
    assert.equal(sent[0]!.topic, 'customer-events');
  });

  it('sends nothing when any event is invalid, and says which one and why', async () => {
    const { producer, sent } = recordingProducer();
    await assert.rejects(
      produceEvents(producer, 'customer-events', [event('c1', 'e1'), { ...event('c2', 'e2'), type: 'nope' }]),
      (error: Error) => error instanceof InvalidEventError && /event #2 rejected \(unknown_type\)/.test(error.message),
    );
    assert.equal(sent.length, 0);
  });
});
