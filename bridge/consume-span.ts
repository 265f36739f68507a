import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { EachMessagePayload } from 'kafkajs';
import { contextFromHeaders } from '../platform/tracing/kafka-context';
import type { HandlingResult } from './handle-message';

const tracer = trace.getTracer('campaign-bridge');

/** The span of one message's handling, told what became of the message. */
export interface ConsumeSpan {
  settled(result: HandlingResult): void;
}

/**
 * Runs a message's handling in a consumer span: a child of the producer's trace when the message
 * carries a W3C `traceparent` header, the root of a new trace otherwise. The journeys it starts or
 * signals join that trace through Temporal's interceptors.
 */
export async function inConsumeSpan(
  payload: EachMessagePayload,
  handle: (span: ConsumeSpan) => Promise<void>,
): Promise<void> {
  const { topic, partition, message } = payload;
  await tracer.startActiveSpan(
    `${topic} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': topic,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
      },
    },
    contextFromHeaders(message.headers),
    async (span: Span) => {
      try {
        await handle({ settled: (result) => describe(span, result) });
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
