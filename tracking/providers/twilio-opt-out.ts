import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EventOf } from '../../contract/events';

/** The fields of an inbound message (a reply to one of ours) the engine reads. */
export const twilioInboundSchema = z.object({
  MessageSid: z
    .string()
    .regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'expected a message SID such as SM followed by 32 hex digits'),
  From: z.string().min(1).max(64),
  Body: z.string().max(1600).default(''),
});
export type TwilioInbound = z.infer<typeof twilioInboundSchema>;

/** The replies Twilio's Advanced Opt-Out treats as an opt-out; Twilio itself blocks further messages to the sender. */
export const TWILIO_OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'];

export function isOptOutReply(body: string): boolean {
  return TWILIO_OPT_OUT_KEYWORDS.includes(body.trim().toUpperCase());
}

const MAX_EVENT_ID = 128;

/**
 * The unsubscribe a STOP reply makes for one customer with the sender's number. The eventId is
 * Twilio's SID and the customer, so a repeated webhook is the same event.
 */
export function unsubscribeFromStop(
  inbound: TwilioInbound,
  customerId: string,
  occurredAt: string,
): EventOf<'customer.unsubscribed'> {
  const prefix = `twilio-inbound:${inbound.MessageSid}:`;
  const eventId =
    prefix.length + customerId.length <= MAX_EVENT_ID
      ? `${prefix}${customerId}`
      : `${prefix}${createHash('sha256').update(customerId).digest('hex').slice(0, 48)}`;
  return {
    eventId,
    type: 'customer.unsubscribed',
    customerId,
    occurredAt,
    properties: { channel: 'sms', source: 'sms_stop' },
  };
}
