import { z } from 'zod';
import { timeZone } from './schemas';

/** The event contract of ../shared/DESIGN.md §3: one JSON object per Kafka message, keyed by customerId. */

export const MAX_EVENT_BYTES = 64 * 1024;
/** How far ahead of the receiver's clock an occurredAt may be, unless configured (EVENT_MAX_FUTURE_SKEW). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;
const EARLIEST_OCCURRED_AT = Date.parse('2000-01-01T00:00:00Z');
/** The offsets real time zones use (UTC-12:00 to UTC+14:00), in minutes. */
const OFFSET_RANGE_MINUTES = { min: -12 * 60, max: 14 * 60 };

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const printable = /^[^\u0000-\u001f\u007f]+$/;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const printableOrEmpty = /^[^\u0000-\u001f\u007f]*$/;
const id = z.string().min(1).max(128).regex(printable, 'must not contain control characters');
/** A customerId or eventId as the contract accepts it. */
export const identifierSchema = id;
const text = (max: number) => z.string().max(max).regex(printableOrEmpty, 'must not contain control characters');
const money = z.number().finite().min(0).max(1e9);
const webUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048);
const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO-4217 code such as "EUR"');

export const UNSUBSCRIBE_SOURCES = ['link', 'one_click', 'sms_stop', 'provider'] as const;
export const FEEDBACK_PROVIDERS = ['tracking', 'twilio', 'sendgrid'] as const;

/**
 * What every event about one message a journey sent carries (docs/FEEDBACK.md): the ledger's
 * `messageId` (an email's Message-ID, an SMS's `sms-…` ID), and where it came from.
 */
const messageFeedback = z.object({
  messageId: id,
  channel: z.enum(['email', 'sms']),
  campaign: text(64).min(1),
  step: text(64).min(1),
  /** The journey instance that sent it (its journeyId), so a newer journey of the customer ignores it. */
  journeyId: id,
  provider: z.enum(FEEDBACK_PROVIDERS),
  /** The provider's own ID of the message (a Twilio SID, SendGrid's sg_message_id), when it gave one. */
  providerMessageId: id.optional(),
});

/** The address a provider reported a failure for: what a suppression is put on. */
const recipient = z.union([z.email().max(254), z.string().regex(/^\+[1-9]\d{6,14}$/)], {
  error: 'expected an email address or an E.164 number',
});

export const cartItemSchema = z.object({
  productId: id,
  name: text(200).min(1),
  quantity: z.number().int().min(1).max(10_000),
  price: money,
});

export const eventPropertySchemas = {
  'customer.updated': z.object({
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as "+14155550123"')
      .optional(),
    firstName: text(100).optional(),
    timezone: timeZone.optional(),
    emailOptIn: z.boolean().optional(),
    smsOptIn: z.boolean().optional(),
  }),
  'customer.unsubscribed': z.object({
    channel: z.enum(['email', 'sms', 'all']),
    /** Where it came from: a link, an RFC 8058 one-click POST, a STOP reply, the email provider's own unsubscribe. */
    source: z.enum(UNSUBSCRIBE_SOURCES).optional(),
    /** The message whose link or reply carried it. */
    messageId: id.optional(),
  }),
  'product.viewed': z.object({
    productId: id,
    name: text(200).optional(),
    url: webUrl.optional(),
    imageUrl: webUrl.optional(),
    price: money.optional(),
    currency: currency.optional(),
    category: text(100).optional(),
  }),
  'cart.updated': z.object({
    cartId: id,
    items: z.array(cartItemSchema).max(200),
    currency: currency.optional(),
  }),
  'order.placed': z.object({
    orderId: id,
    cartId: id.optional(),
    items: z.array(cartItemSchema).max(200).optional(),
    total: money.optional(),
    currency: currency.optional(),
  }),
  'session.started': z.object({}),
  'churn.risk_scored': z.object({ score: z.number().min(0).max(1), model: text(100).optional() }),
  'message.delivered': messageFeedback,
  'message.failed': messageFeedback.extend({
    errorCode: text(32).optional(),
    reason: text(500).optional(),
    address: recipient.optional(),
  }),
  'message.bounced': messageFeedback.extend({
    bounceType: z.enum(['hard', 'soft']),
    reason: text(500).optional(),
    address: recipient.optional(),
  }),
  'message.complained': messageFeedback.extend({ address: recipient.optional() }),
  'message.opened': messageFeedback,
  'message.clicked': messageFeedback.extend({ url: webUrl }),
} as const;

export type EventType = keyof typeof eventPropertySchemas;
export const EVENT_TYPES = Object.keys(eventPropertySchemas) as EventType[];
/** What became of a message after the send: delivery and engagement, reported by providers and the tracking service. */
export const FEEDBACK_EVENT_TYPES = [
  'message.delivered',
  'message.failed',
  'message.bounced',
  'message.complained',
  'message.opened',
  'message.clicked',
] as const satisfies readonly EventType[];
export type FeedbackEventType = (typeof FEEDBACK_EVENT_TYPES)[number];
export type FeedbackEvent = EventOf<FeedbackEventType>;
export function isFeedbackEvent(event: CustomerEvent): event is FeedbackEvent {
  return (FEEDBACK_EVENT_TYPES as readonly string[]).includes(event.type);
}

const envelopeSchema = z.object({
  eventId: id,
  type: z.string().min(1).max(64),
  customerId: id,
  occurredAt: z.unknown(),
  properties: z.record(z.string(), z.unknown()).default({}),
});

type PropertiesOf<T extends EventType> = z.infer<(typeof eventPropertySchemas)[T]>;

export type CustomerEvent = {
  [T in EventType]: {
    eventId: string;
    type: T;
    customerId: string;
    occurredAt: string;
    properties: PropertiesOf<T>;
  };
}[EventType];

export type EventOf<T extends EventType> = Extract<CustomerEvent, { type: T }>;

export type RejectionReason =
  | 'empty_message'
  | 'oversized'
  | 'invalid_json'
  | 'not_an_object'
  | 'missing_field'
  | 'invalid_field'
  | 'unknown_type'
  | 'invalid_timestamp'
  | 'missing_key'
  | 'key_mismatch'
  /** Valid by the contract, but a store refused its data for good (for example PostgreSQL class 22). */
  | 'unprocessable';

/** The part of an event that withdraws consent: an unsubscribe, or a customer.updated's opt-in flags set to false. */
export type OptOutEvent = EventOf<'customer.unsubscribed'> | EventOf<'customer.updated'>;

export type ParseResult =
  | { ok: true; event: CustomerEvent }
  | {
      ok: false;
      reason: RejectionReason;
      detail: string;
      /**
       * The opt-out a message with an unusable occurredAt still carries, dated when it was received:
       * consent is withdrawn whatever the timestamp says, and the rest of the message is dead-lettered.
       */
      optOut?: OptOutEvent;
    };

export interface ParseOptions {
  /** How far ahead of `now` an occurredAt may be; default DEFAULT_MAX_FUTURE_SKEW_MS. */
  maxFutureSkewMs?: number;
}

type Rejection = Extract<ParseResult, { ok: false }>;

function reject(reason: RejectionReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

const occurredAtSchema = z.iso.datetime({ offset: true });

/** "2h 1m 1s", "5m 0s", "12s": how far apart two instants are, to the second. */
export function describeDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const [hours, minutes, rest] = [Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60), seconds % 60];
  if (hours > 0) return `${hours}h ${minutes}m ${rest}s`;
  if (minutes > 0) return `${minutes}m ${rest}s`;
  return `${rest}s`;
}

/**
 * Reads occurredAt into the UTC, millisecond form every store and journey can hold
 * ("2026-06-01T09:00:00.000Z"), or says why it cannot be used.
 */
function parseOccurredAt(
  value: unknown,
  now: number,
  maxFutureSkewMs: number,
): { ok: true; utc: string } | { ok: false; detail: string } {
  if (value === undefined) return { ok: false, detail: 'occurredAt: required' };
  if (!occurredAtSchema.safeParse(value).success)
    return { ok: false, detail: 'occurredAt: expected an ISO-8601 timestamp with a time zone' };
  const text = value as string;
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(text);
  if (offset) {
    const minutes = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
    if (minutes < OFFSET_RANGE_MINUTES.min || minutes > OFFSET_RANGE_MINUTES.max) {
      return {
        ok: false,
        detail: `occurredAt: the offset ${offset[0]} is outside -12:00 to +14:00, the offsets time zones use`,
      };
    }
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < EARLIEST_OCCURRED_AT) {
    return { ok: false, detail: `occurredAt: ${text} is before 2000-01-01` };
  }
  if (ms > now + maxFutureSkewMs) {
    return {
      ok: false,
      detail:
        `occurredAt: ${text} is ${describeDuration(ms - now)} ahead of the bridge's clock; ` +
        `at most ${describeDuration(maxFutureSkewMs)} is accepted (EVENT_MAX_FUTURE_SKEW)`,
    };
  }
  return { ok: true, utc: new Date(ms).toISOString() };
}

/** The consent an event withdraws, if any, as an event of its own. */
export function optOutOf(event: CustomerEvent): OptOutEvent | undefined {
  if (event.type === 'customer.unsubscribed') return event;
  if (event.type !== 'customer.updated') return undefined;
  const { emailOptIn, smsOptIn } = event.properties;
  const withdrawn = { ...(emailOptIn === false ? { emailOptIn } : {}), ...(smsOptIn === false ? { smsOptIn } : {}) };
  return Object.keys(withdrawn).length > 0 ? { ...event, properties: withdrawn } : undefined;
}

function describeIssue(issue: z.core.$ZodIssue, prefix = ''): { reason: RejectionReason; detail: string } {
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  return {
    reason: missing ? 'missing_field' : 'invalid_field',
    detail: `${field}: ${missing ? 'required' : issue.message}`,
  };
}

/** The type, properties and key of a message, checked against the contract. */
function parseBody(
  type: string,
  properties: unknown,
  key: Buffer | string | null,
  customerId: string,
): { ok: true; type: EventType; properties: CustomerEvent['properties'] } | Rejection {
  if (!(type in eventPropertySchemas))
    return reject('unknown_type', `type: "${type}" is not one of ${EVENT_TYPES.join(', ')}`);
  const eventType = type as EventType;
  const parsedProperties = eventPropertySchemas[eventType].safeParse(properties);
  if (!parsedProperties.success) {
    const described = describeIssue(parsedProperties.error.issues[0]!, 'properties');
    return reject(described.reason, described.detail);
  }
  if (key === null || key.length === 0) return reject('missing_key', 'the message key must be the customerId');
  if (key.toString() !== customerId) return reject('key_mismatch', 'the message key differs from customerId');
  return { ok: true, type: eventType, properties: parsedProperties.data };
}

/**
 * Turns one Kafka message into a validated event, or names exactly why it cannot be one.
 * `now` is passed in so that "absurd timestamp" is testable. A problem with occurredAt is reported
 * before any other, as it always was.
 */
export function parseEvent(
  value: Buffer | string | null,
  key: Buffer | string | null,
  now: number,
  options: ParseOptions = {},
): ParseResult {
  if (value === null || value.length === 0) return reject('empty_message', 'the message has no value');
  const byteLength = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (byteLength > MAX_EVENT_BYTES)
    return reject('oversized', `${byteLength} bytes exceeds the limit of ${MAX_EVENT_BYTES}`);

  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch (error) {
    return reject('invalid_json', (error as Error).message);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return reject(
      'not_an_object',
      `expected a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`,
    );
  }

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const described = describeIssue(envelope.error.issues[0]!);
    return reject(described.reason, described.detail);
  }
  const { eventId, type, customerId, occurredAt, properties } = envelope.data;
  const timestamp = parseOccurredAt(occurredAt, now, options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS);
  const body = parseBody(type, properties, key, customerId);

  if (timestamp.ok) {
    if (!body.ok) return body;
    return {
      ok: true,
      event: {
        eventId,
        type: body.type,
        customerId,
        occurredAt: timestamp.utc,
        properties: body.properties,
      } as CustomerEvent,
    };
  }
  const rejection = reject(occurredAt === undefined ? 'missing_field' : 'invalid_timestamp', timestamp.detail);
  if (!body.ok) return rejection;
  const optOut = optOutOf({
    eventId,
    type: body.type,
    customerId,
    occurredAt: new Date(now).toISOString(),
    properties: body.properties,
  } as CustomerEvent);
  return optOut ? { ...rejection, optOut } : rejection;
}
