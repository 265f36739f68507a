import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetterMessage } from '../../../bridge/dead-letter';

describe('dead-letter message', () => {
  it('keeps the original key and value and says why and where it came from', () => {
    const message = {
      key: Buffer.from('c1'),
      value: Buffer.from('not json'),
      offset: '42',
      timestamp: '0',
      attributes: 0,
      headers: { trace: 'abc' },
    };
    const letter = deadLetterMessage(
      { topic: 'customer-events', partition: 3, message },
      'invalid_json',
      'Unexpected token',
      new Date('2026-06-01T12:00:00Z'),
    );
    assert.equal(letter.key, message.key);
    assert.equal(letter.value, message.value);
    assert.deepEqual(letter.headers, {
      trace: 'abc',
      'dlq-reason': 'invalid_json',
      'dlq-detail': 'Unexpected token',
      'dlq-source-topic': 'customer-events',
      'dlq-source-partition': '3',
      'dlq-source-offset': '42',
      'dlq-first-seen-at': '2026-06-01T12:00:00.000Z',
    });
  });
});
