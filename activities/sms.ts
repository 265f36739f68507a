import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { maskPhone } from '../lib/pii';
import type { ChannelSender, FailureKind } from './delivery';
import { renderSms } from './templates';

export interface SmsSettings {
  accountSid: string;
  authToken: string;
  /** A sender number in E.164, or a Messaging Service SID (MG…). */
  from: string;
  /** Twilio's API base, e.g. a regional edge; tests point it at a local server. */
  apiBaseUrl?: string | undefined;
  storeUrl: string;
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
}

/** Twilio error codes that will never succeed for this recipient. */
const PERMANENT_TWILIO_CODES = new Set([21211, 21408, 21610, 21612, 21614, 21606, 30004, 30005, 30006]);

export function classifyTwilioError(error: unknown): { kind: FailureKind; reason: string } {
  const failure = error as TwilioError;
  if (typeof failure.status === 'number') {
    const code = typeof failure.code === 'number' ? failure.code : undefined;
    if (failure.status === 429 || failure.status >= 500) return { kind: 'not_accepted', reason: `Twilio HTTP ${failure.status}` };
    if ((code !== undefined && PERMANENT_TWILIO_CODES.has(code)) || failure.status >= 400) {
      return { kind: 'permanent', reason: `Twilio ${code ?? failure.status}: ${failure.message}` };
    }
  }
  if (failure.code === 'ECONNREFUSED' || failure.code === 'ENOTFOUND' || failure.code === 'EAI_AGAIN') return { kind: 'not_accepted', reason: String(failure.code) };
  return { kind: 'ambiguous', reason: String(failure.code ?? failure.message) };
}

export function smsSender(settings: SmsSettings, client: TwilioClient): ChannelSender<string> {
  const viaService = settings.from.startsWith('MG');
  return {
    channel: 'sms',
    addressOf: (profile) => profile.phone,
    consentOf: (profile) => profile.smsOptIn,
    messageIdFor: (key) => `sms-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`,
    render: (request, profile) => renderSms(request.template, { firstName: profile.firstName, storeUrl: settings.storeUrl, unsubscribeUrl: '' }),
    async send(address, body) {
      const message = await client.messages.create({ to: address, body, ...(viaService ? { messagingServiceSid: settings.from } : { from: settings.from }) });
      return message.sid;
    },
    classify: classifyTwilioError,
    mask: maskPhone,
  };
}
