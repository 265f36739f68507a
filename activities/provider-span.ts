import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SendCancelled, type ChannelSender } from './delivery';

const tracer = trace.getTracer('campaign-worker');

/**
 * Runs one provider call (SMTP, Twilio's Messages API) in a client span of the send activity's
 * trace, marked with the failure class when it fails. Reasons are already PII-masked by `classify`.
 */
export async function inProviderSpan(
  sender: Pick<ChannelSender<unknown>, 'channel' | 'classify'>,
  messageId: string,
  call: () => Promise<string>,
): Promise<string> {
  return tracer.startActiveSpan(
    `${sender.channel} provider call`,
    { kind: SpanKind.CLIENT, attributes: { 'campaigns.channel': sender.channel, 'campaigns.message.id': messageId } },
    async (span) => {
      try {
        const providerId = await call();
        span.setAttribute('campaigns.provider.message.id', providerId);
        return providerId;
      } catch (error) {
        if (error instanceof SendCancelled) {
          span.setAttribute('campaigns.outcome', 'cancelled before the message was handed over');
        } else {
          const failure = sender.classify(error);
          span.setAttribute('campaigns.failure.kind', failure.kind);
          span.setStatus({ code: SpanStatusCode.ERROR, message: failure.reason });
        }
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
