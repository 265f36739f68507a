import { SpanKind, SpanStatusCode, trace, type Link, type Span } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { contextFromHeaders } from '../platform/tracing/kafka-context';
import type { HandlingResult } from './handle-message';
import type { BurstResult } from './handle-burst';

const tracer = trace.getTracer('campaign-bridge');

/** The span of one message's handling, told what became of the message. */
export interface ConsumeSpan {
  settled(result: HandlingResult): void;
  settledBurst(result: BurstResult): void;
}

/** Where the messages handled in one span come from: a partition, and one message or a customer's burst. */
export interface ConsumedMessages {
  topic: string;
  partition: number;
  messages: readonly [KafkaMessage, ...KafkaMessage[]];
}

/**
 * Runs the handling of a message, or of a customer's burst, in a consumer span: a child of the
 * (first) producer's trace when the message carries a W3C `traceparent` header, the root of a new
 * trace otherwise; the other messages of a burst are linked to it. The journeys it starts or
 * signals join that trace through Temporal's interceptors.
 */
export async function inConsumeSpan(
  consumed: ConsumedMessages,
  handle: (span: ConsumeSpan) => Promise<void>,
): Promise<void> {
  const { topic, partition, messages } = consumed;
  const [first, ...rest] = messages;
  const links: Link[] = rest.flatMap((message) => {
    const spanContext = trace.getSpanContext(contextFromHeaders(message.headers));
    return spanContext ? [{ context: spanContext }] : [];
  });
  await tracer.startActiveSpan(
    `${topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(first.offset),
        ...(rest.length > 0 ? { 'messaging.batch.message_count': messages.length } : {}),
      },
      links,
    },
    contextFromHeaders(first.headers),
    async (span: Span) => {
      try {
        await handle({
          settled: (result) => describe(span, result),
          settledBurst: (result) => describeBurst(span, result),
        });
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

function describe(span: Span, result: HandlingResult): void {
  if (result.kind === 'rejected') {
    span.setAttributes({ 'campaigns.outcome': 'dead-lettered', 'campaigns.rejection': result.reason });
    return;
  }
  span.setAttributes({
    'campaigns.outcome': 'routed',
    'campaigns.event.type': result.event.type,
    'campaigns.event.id': result.event.eventId,
    'campaigns.customer.id': result.event.customerId,
    'campaigns.routes': result.actions.map((action) =>
      'campaign' in action ? `${action.kind}:${action.campaign}:${action.effect}` : `${action.kind}:${action.effect}`,
    ),
  });
}

function describeBurst(span: Span, result: BurstResult): void {
  span.setAttributes({
    'campaigns.outcome': 'routed',
    'campaigns.event.ids': result.map(({ event }) => event.eventId),
    'campaigns.customer.id': result[0]?.event.customerId ?? '',
    'campaigns.routes': result.flatMap(({ event, actions }) =>
      actions.map((action) => `${event.eventId}:${action.kind}:${action.campaign}:${action.effect}`),
    ),
  });
}
