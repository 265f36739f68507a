import { z } from 'zod';
import type { FeedbackEvent } from '../../contract/events';
import type { SentMessage } from '../../platform/db/sent-messages';
import { aboutMessage, reportedAddress } from './message-feedback';

/** The fields of Twilio's message status callback the engine reads (form-urlencoded, signed). */
export const twilioStatusCallbackSchema = z.object({
  MessageSid: z
    .string()
    .regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'expected a message SID such as SM followed by 32 hex digits'),
  MessageStatus: z.string().regex(/^[a-z_-]{1,32}$/, 'expected a status such as "delivered"'),
  To: z.string().max(64).optional(),
  ErrorCode: z
    .string()
    .regex(/^\d{0,10}$/, 'expected a numeric error code')
    .optional(),
});
export type TwilioStatusCallback = z.infer<typeof twilioStatusCallbackSchema>;

/** The statuses that say what became of a message; the others (queued, sent, accepted…) are steps on the way. */
export const FINAL_TWILIO_STATUSES = new Set(['delivered', 'undelivered', 'failed']);

/** What Twilio's delivery error codes mean (twilio.com/docs/api/errors); other codes are reported by number. */
const ERROR_DESCRIPTIONS: Record<string, string> = {
  '30001': 'queue overflow',
  '30002': 'account suspended',
  '30003': 'unreachable destination handset',
  '30004': 'message blocked',
  '30005': 'unknown destination handset',
  '30006': 'landline or unreachable carrier',
  '30007': 'filtered by the carrier',
  '30008': 'unknown error',
  '30010': 'message price exceeds the maximum price',
  '21610': 'the recipient replied STOP: Twilio blocks messages to them',
};

/** A Twilio error code's description, for the failure's reason. */
export function describeTwilioError(status: string, errorCode: string | undefined): string {
  if (!errorCode) return `Twilio reported the message ${status}`;
  const description = ERROR_DESCRIPTIONS[errorCode];
  return `Twilio ${errorCode}: ${description ?? `the message was ${status}`}`;
}

/**
 * The feedback event a status callback makes about a message of ours, or null for a status on the
 * way. Its eventId is Twilio's SID and status, so a repeated callback is the same event.
 */
export function feedbackFromTwilioStatus(
  callback: TwilioStatusCallback,
  message: SentMessage,
  occurredAt: string,
): FeedbackEvent | null {
  const status = callback.MessageStatus;
  if (!FINAL_TWILIO_STATUSES.has(status)) return null;
  const envelope = { eventId: `twilio:${callback.MessageSid}:${status}`, customerId: message.customerId, occurredAt };
  const about = aboutMessage(message, 'twilio', callback.MessageSid);
  if (status === 'delivered') return { ...envelope, type: 'message.delivered', properties: about };
  const errorCode = callback.ErrorCode || undefined;
  return {
    ...envelope,
    type: 'message.failed',
    properties: {
      ...about,
      ...(errorCode ? { errorCode } : {}),
      reason: describeTwilioError(status, errorCode),
      ...reportedAddress(callback.To),
    },
  };
}
