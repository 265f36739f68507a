import { createHash } from 'node:crypto';
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { RejectionReason } from '../contract/events';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** How much of the original value a truncated dead letter keeps, to help recognise it. */
export const TRUNCATED_VALUE_BYTES = 1024;
/** A key longer than this (the contract allows 128 characters) is dropped from a truncated copy. */
const TRUNCATED_KEY_BYTES = 1024;

function provenance(source: DeadLetterSource, reason: RejectionReason, detail: string, now: Date): IHeaders {
  return {
    'dlq-reason': reason,
    'dlq-detail': detail.slice(0, 1000),
    'dlq-source-topic': source.topic,
    'dlq-source-partition': String(source.partition),
    'dlq-source-offset': source.message.offset,
    'dlq-first-seen-at': now.toISOString(),
  };
}

/**
 * The dead-letter copy of a rejected message: the original key and value untouched, with headers
 * that say why and where it came from.
 */
export function deadLetterMessage(
  source: DeadLetterSource,
  reason: RejectionReason,
  detail: string,
  now: Date,
): Message {
  const headers: IHeaders = { ...source.message.headers, ...provenance(source, reason, detail, now) };
  return { key: source.message.key, value: source.message.value, headers };
}

/**
 * A small stand-in for a dead letter the broker refused as too large: the first bytes of the value,
 * its size and SHA-256, and where the original still is (topic, partition, offset), without the
 * original's headers. The original stays readable in the source topic until its retention ends.
 */
export function truncatedDeadLetterMessage(
  source: DeadLetterSource,
  reason: RejectionReason,
  detail: string,
  now: Date,
): Message {
  const { key, value } = source.message;
  const keyFits = key !== null && key.length <= TRUNCATED_KEY_BYTES;
  const headers: IHeaders = {
    ...provenance(source, reason, detail, now),
    'dlq-truncated': 'true',
    'dlq-original-value-bytes': String(value?.length ?? 0),
    'dlq-original-value-sha256': createHash('sha256')
      .update(value ?? Buffer.alloc(0))
      .digest('hex'),
    'dlq-original-key-bytes': String(key?.length ?? 0),
    'dlq-original-header-names': Object.keys(source.message.headers ?? {})
      .join(',')
      .slice(0, 1000),
  };
  return { key: keyFits ? key : null, value: value ? value.subarray(0, TRUNCATED_VALUE_BYTES) : null, headers };
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** Whether the broker refused a write for its size; kafkajs may wrap the protocol error in others. */
export function isTooLargeForBroker(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    if (TOO_LARGE.has(String((current as { type?: unknown }).type))) return true;
  }
  return false;
}
