import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { isTooLargeForBroker, TRUNCATED_VALUE_BYTES, truncatedDeadLetterMessage } from '../../../bridge/dead-letter';

describe('truncated dead letter', () => {
  const value = Buffer.alloc(900_000, 'y');
  const message = {
    key: Buffer.from('c1'),
    value,
    offset: '7',
    timestamp: '0',
    attributes: 0,
    headers: { trace: 'abc', big: Buffer.alloc(100_000) },
  };

  it('keeps where the original is, its size and digest, and only its first bytes', () => {
    const letter = truncatedDeadLetterMessage(
      { topic: 'customer-events', partition: 2, message },
      'oversized',
      '900000 bytes exceeds the limit',
      new Date('2026-06-01T12:00:00Z'),
    );
    assert.equal(letter.key, message.key);
    assert.equal((letter.value as Buffer).length, TRUNCATED_VALUE_BYTES);
    assert.deepEqual(letter.headers, {
      'dlq-reason': 'oversized',
      'dlq-detail': '900000 bytes exceeds the limit',
      'dlq-source-topic': 'customer-events',
      'dlq-source-partition': '2',
      'dlq-source-offset': '7',
      'dlq-first-seen-at': '2026-06-01T12:00:00.000Z',
      'dlq-truncated': 'true',
      'dlq-original-value-bytes': '900000',
      'dlq-original-value-sha256': createHash('sha256').update(value).digest('hex'),
      'dlq-original-key-bytes': '2',
      'dlq-original-header-names': 'trace,big',
    });
  });

  it("recognises the broker's size refusal, bare or wrapped by kafkajs, and nothing else", () => {
    // What the broker's error code 10 becomes in kafkajs (protocol/error.js).
    const protocolError = (type: string, code: number) =>
      new KafkaJSProtocolError({ type, code, retriable: false, message: type } as unknown as Error);
    const refusal = protocolError('MESSAGE_TOO_LARGE', 10);
    assert.equal(isTooLargeForBroker(refusal), true);
    assert.equal(
      isTooLargeForBroker(Object.assign(new KafkaJSNonRetriableError('retries exhausted'), { cause: refusal })),
      true,
    );
    assert.equal(isTooLargeForBroker(protocolError('NOT_LEADER_FOR_PARTITION', 6)), false);
    assert.equal(isTooLargeForBroker(new Error('connection refused')), false);
  });
});
