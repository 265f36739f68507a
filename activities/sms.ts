import { createHash } from 'node:crypto';
import twilio from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message';
import { twilioStatusCallbackUrl } from '../contract/provider-webhooks';
import { maskPhone, maskPiiInText } from '../platform/pii';
import type { ChannelSender, FailureKind, ProviderFailure } from './delivery';
import { renderSms, smsAsWritten } from './templates';
import { trackSmsLinks } from './link-tracking';
import { renderContext, type MessageLinks } from './templates/message';

export interface SmsSettings {
  accountSid: string;
  authToken: string;
  /** A sender number in E.164, or a Messaging Service SID (MG…). */
  from: string;
  /** Twilio's API base, e.g. a regional edge; tests point it at a local server. */
  apiBaseUrl?: string | undefined;
  storeUrl: string;
  /** The tracking service's public URL: Twilio reports each message's delivery there. Unset: no status callbacks. */
  trackingPublicUrl?: string | undefined;
}

type TwilioClient = ReturnType<typeof twilio>;

export function createTwilioClient(settings: SmsSettings): TwilioClient {
  const client = twilio(settings.accountSid, settings.authToken, { timeout: 10_000, autoRetry: false });
  if (settings.apiBaseUrl) client.api.baseUrl = settings.apiBaseUrl.replace(/\/$/, '');
  return client;
}

interface TwilioError extends Error {
  status?: number;
  code?: number | string;
  /** axios attaches the Node request: not flushed to the socket means Twilio never got it. */
  request?: { writableFinished?: boolean };
}

/** Our account or sender is wrong: every message would fail alike until an operator fixes it. */
const MISCONFIGURED_TWILIO_CODES = new Set([
  20003, // authentication failed / permission denied
  20005, // account not active
  20404, // the account's Messages resource does not exist: a wrong account SID or API base
  21212,
  21601,
  21603,
  21606,
  21659, // the From number is invalid, missing, not SMS-capable or not ours
  21701,
  21703,
  21704,
  21705, // the Messaging Service is missing, inactive, has no sender or is invalid
]);
/** Socket errors that happen while connecting. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Gateways that may have passed the request on before failing. */
const AMBIGUOUS_STATUSES = new Set([502, 504]);

/**
 * Classifies by evidence (docs/DELIVERY.md explains each line): credentials and sender problems are
 * `misconfigured`; a request never written to the socket, a 429, 500 or 503 is `not_accepted`;
 * a 502, 504 or socket failure after the request was written is `ambiguous`; other 4xx refuse this
 * recipient or message for good. Every reason is PII-masked.
 */
export function classifyTwilioError(error: unknown): ProviderFailure {
  const failure = error as TwilioError;
  const { kind, reason } = classifyTwilio(failure);
  return { kind, reason: maskPiiInText(reason), code: String(failure.code ?? failure.status ?? 'unknown') };
}

function classifyTwilio(failure: TwilioError): { kind: FailureKind; reason: string } {
  if (typeof failure.status === 'number') {
    const code = typeof failure.code === 'number' ? failure.code : undefined;
    const label = code ? `Twilio ${code} (HTTP ${failure.status})` : `Twilio HTTP ${failure.status}`;
    if (
      failure.status === 401 ||
      failure.status === 403 ||
      (code !== undefined && MISCONFIGURED_TWILIO_CODES.has(code))
    ) {
      return { kind: 'misconfigured', reason: `${label}: ${failure.message}` };
    }
    if (AMBIGUOUS_STATUSES.has(failure.status)) return { kind: 'ambiguous', reason: label };
    if (failure.status === 429 || failure.status >= 500) return { kind: 'not_accepted', reason: label };
    if (failure.status >= 400) return { kind: 'permanent', reason: `${label}: ${failure.message}` };
  }
  const socketCode = String(failure.code ?? 'error');
  if (CONNECT_ERRORS.has(socketCode) || failure.request?.writableFinished === false) {
    return { kind: 'not_accepted', reason: `${socketCode} before the request was written: ${failure.message}` };
  }
  return { kind: 'ambiguous', reason: `${socketCode}: ${failure.message}` };
}

const smsLinks = (settings: SmsSettings): MessageLinks => ({ storeUrl: settings.storeUrl, unsubscribeUrl: '' });

export function smsSender(settings: SmsSettings, client: TwilioClient): ChannelSender<string> {
  const viaService = settings.from.startsWith('MG');
  return {
    channel: 'sms',
    addressOf: (profile) => profile.phone,
    consentOf: (profile) => profile.smsOptIn,
    messageIdFor: (key) => `sms-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`,
    async render(request, profile, template, links) {
      const context = renderContext('sms', smsLinks(settings), profile);
      const sent = renderSms(request.template, context, template);
      return trackSmsLinks(sent, smsAsWritten(request.template, context, template), links);
    },
    async send(address, body, messageId) {
      const message = await client.messages.create({
        to: address,
        body,
        ...(viaService ? { messagingServiceSid: settings.from } : { from: settings.from }),
        ...(settings.trackingPublicUrl
          ? { statusCallback: twilioStatusCallbackUrl(settings.trackingPublicUrl, messageId) }
          : {}),
      });
      return message.sid;
    },
    classify: classifyTwilioError,
    async findSent(address, body, sinceMs) {
      // A request Twilio is still working on may not be listed yet: give it time before judging.
      await new Promise((resolve) => setTimeout(resolve, LOOKUP_SETTLE_MS));
      return findOurMessage(client, { to: address, body, sender: settings.from, viaService }, sinceMs);
    },
    mask: maskPhone,
  };
}

/**
 * How long after an ambiguous failure Twilio is asked about it. With the 10 s request timeout and a
 * look-up's two list calls, it keeps the whole attempt within the activity's 45 s.
 */
export const LOOKUP_SETTLE_MS = 5_000;
/** How many of a recipient's newest messages are read to prove ours is not among them. */
const LOOKUP_PAGE = 50;

interface OurMessage {
  to: string;
  body: string;
  sender: string;
  viaService: boolean;
}

/**
 * Asks Twilio whether a message whose create call ended ambiguously exists. Ours is recognised by
 * recipient, sender and exact body (rendered from the key's state, with no random part), sent since
 * `sinceMs`. Absence is only claimed when the recipient's newest messages reach back before
 * `sinceMs`: a message still queued has no DateSent yet, so the DateSent filter alone proves nothing.
 */
export async function findOurMessage(client: TwilioClient, ours: OurMessage, sinceMs: number): Promise<string | null> {
  const isOurs = (message: MessageInstance) =>
    message.body === ours.body &&
    (ours.viaService ? message.messagingServiceSid === ours.sender : message.from === ours.sender);
  const sentSince = await client.messages.list({ to: ours.to, dateSentAfter: new Date(sinceMs), limit: LOOKUP_PAGE });
  const found = sentSince.find(isOurs);
  if (found) return found.sid;
  const newest = await client.messages.list({ to: ours.to, limit: LOOKUP_PAGE });
  const createdSince = newest.filter((message) => message.dateCreated.getTime() >= sinceMs);
  const queued = createdSince.find(isOurs);
  if (queued) return queued.sid;
  const coversTheWindow = newest.length < LOOKUP_PAGE || createdSince.length < newest.length;
  if (!coversTheWindow)
    throw new Error(`the recipient's newest ${LOOKUP_PAGE} messages do not reach back to the reservation`);
  return null;
}
