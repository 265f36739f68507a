import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { RejectionReason } from '../contract/events';

export interface DeadLetterSource {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/**
 * The dead-letter copy of a rejected message: the original key and value untouched, with headers
 * that say why and where it came from.
 */
export function deadLetterMessage(source: DeadLetterSource, reason: RejectionReason, detail: string, now: Date) {
  const headers: IHeaders = {
    ...source.message.headers,
    'dlq-reason': reason,
    'dlq-detail': detail.slice(0, 1000),
    'dlq-source-topic': source.topic,
    'dlq-source-partition': String(source.partition),
    'dlq-source-offset': source.message.offset,
    'dlq-first-seen-at': now.toISOString(),
  };
  return { key: source.message.key, value: source.message.value, headers };
}
