/** Where providers report on sent messages: the tracking service's webhook paths (docs/FEEDBACK.md). */

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';
export const TWILIO_INBOUND_PATH = '/webhooks/twilio/inbound';
export const SENDGRID_EVENTS_PATH = '/webhooks/sendgrid/events';

/**
 * The StatusCallback an SMS is created with. Twilio signs the whole URL, query included, so the
 * message ID in it is as authentic as the callback.
 */
export function twilioStatusCallbackUrl(trackingPublicUrl: string, messageId: string): string {
  return `${trackingPublicUrl.replace(/\/$/, '')}${TWILIO_STATUS_PATH}?message=${encodeURIComponent(messageId)}`;
}
