import { z } from 'zod';
import type { FEEDBACK_PROVIDERS } from '../../contract/events';
import type { SentMessage } from '../../platform/db/sent-messages';
import { maskPiiInText } from '../../platform/pii';

/** What every feedback event about one ledger message carries. */
export function aboutMessage(
  message: SentMessage,
  provider: (typeof FEEDBACK_PROVIDERS)[number],
  providerMessageId: string | undefined,
) {
  return {
    messageId: message.messageId,
    channel: message.channel,
    campaign: message.campaign,
    step: message.step,
    journeyId: message.journeyId,
    provider,
    ...(providerMessageId ? { providerMessageId } : {}),
  };
}

const address = z.union([z.email().max(254), z.string().regex(/^\+[1-9]\d{6,14}$/)]);

/** The address a provider reported, when it is one the contract carries; otherwise left out. */
export function reportedAddress(value: string | undefined): { address?: string } {
  return value !== undefined && address.safeParse(value).success ? { address: value } : {};
}

/** A provider's free-text reason as an event carries it: printable, PII-masked, at most 500 characters. */
export function reportedReason(text: string | undefined): { reason?: string } {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const printable = text?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return printable ? { reason: maskPiiInText(printable).slice(0, 500) } : {};
}
