import { z } from 'zod';
import type { EventOf, FeedbackEvent } from '../../contract/events';
import type { SentMessage } from '../../platform/db/sent-messages';
import { aboutMessage, reportedAddress, reportedReason } from './message-feedback';

/**
 * The fields of one Event Webhook event the engine reads. Anything else SendGrid adds is ignored;
 * an event without what its mapping needs is ignored too (SendGrid would otherwise retry the batch).
 */
export const sendgridEventSchema = z.object({
  event: z.string().min(1).max(64),
  sg_event_id: z.string().min(1).max(100),
  sg_message_id: z.string().min(1).max(128).optional(),
  email: z.string().max(254).optional(),
  timestamp: z.number().int().min(946_684_800).optional(),
  /** The Message-ID header we sent, `<…@…>`: our ledger's message ID. */
  'smtp-id': z.string().min(1).max(128).optional(),
  /** A custom argument (unique_args) named message_id, when the send set one: events without smtp-id carry it. */
  message_id: z.string().min(1).max(128).optional(),
  type: z.string().max(32).optional(),
  reason: z.string().max(2000).optional(),
  status: z.string().max(32).optional(),
});
export type SendgridEvent = z.infer<typeof sendgridEventSchema>;

/** Drops SendGrid gives for an address it knows cannot receive mail: as final as a hard bounce. */
const DROPPED_AS_BOUNCED = new Set(['Bounced Address', 'Invalid']);
/** The customer opted out at SendGrid (its subscription tracking, or an unsubscribe group). */
const UNSUBSCRIBED = new Set(['unsubscribe', 'group_unsubscribe']);

type Outcome =
  | { type: 'message.delivered' }
  | { type: 'message.bounced'; bounceType: 'hard' | 'soft' }
  | { type: 'message.complained' }
  | { type: 'customer.unsubscribed' };

/**
 * What a SendGrid event says of a message, or null for events the engine does not take from
 * SendGrid: processed, deferred, open, click… (opens and clicks are counted by the tracking
 * service's own links, the same for every provider). An opt-out made at SendGrid withdraws email
 * consent here too.
 */
export function sendgridOutcome(event: Pick<SendgridEvent, 'event' | 'type' | 'reason'>): Outcome | null {
  switch (event.event) {
    case 'delivered':
      return { type: 'message.delivered' };
    case 'bounce':
      return { type: 'message.bounced', bounceType: event.type === 'blocked' ? 'soft' : 'hard' };
    case 'dropped':
      if (event.reason === 'Unsubscribed Address') return { type: 'customer.unsubscribed' };
      return event.reason && DROPPED_AS_BOUNCED.has(event.reason)
        ? { type: 'message.bounced', bounceType: 'hard' }
        : null;
    case 'spamreport':
      return { type: 'message.complained' };
    default:
      return UNSUBSCRIBED.has(event.event) ? { type: 'customer.unsubscribed' } : null;
  }
}

/** Our message ID as the event names it: the Message-ID SendGrid saw, else our custom argument. */
export function sendgridMessageIdOf(event: SendgridEvent): string | undefined {
  return event['smtp-id'] ?? event.message_id;
}

/** The feedback event a SendGrid event makes about a message of ours; its eventId is SendGrid's own. */
export function feedbackFromSendgridEvent(
  event: SendgridEvent,
  message: SentMessage,
  nowMs: number,
): FeedbackEvent | EventOf<'customer.unsubscribed'> | null {
  const outcome = sendgridOutcome(event);
  if (!outcome) return null;
  const envelope = {
    eventId: `sendgrid:${event.sg_event_id}`,
    customerId: message.customerId,
    occurredAt: new Date(Math.min(event.timestamp ? event.timestamp * 1000 : nowMs, nowMs)).toISOString(),
  };
  const about = aboutMessage(message, 'sendgrid', event.sg_message_id);
  const address = reportedAddress(event.email);
  switch (outcome.type) {
    case 'message.delivered':
      return { ...envelope, type: outcome.type, properties: about };
    case 'message.bounced': {
      const reason = [event.status, event.reason].filter(Boolean).join(' ') || undefined;
      return {
        ...envelope,
        type: outcome.type,
        properties: { ...about, bounceType: outcome.bounceType, ...reportedReason(reason), ...address },
      };
    }
    case 'message.complained':
      return { ...envelope, type: outcome.type, properties: { ...about, ...address } };
    case 'customer.unsubscribed':
      return {
        ...envelope,
        type: outcome.type,
        properties: { channel: 'email', source: 'provider', messageId: message.messageId },
      };
  }
}
