import { z } from 'zod';
import { timeZone } from '../lib/schemas';

/** The event contract of ../shared/DESIGN.md §3: one JSON object per Kafka message, keyed by customerId. */

export const MAX_EVENT_BYTES = 64 * 1024;
const MAX_FUTURE_SKEW_MS = 24 * 3_600_000;
const EARLIEST_OCCURRED_AT = Date.parse('2000-01-01T00:00:00Z');

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

export const cartItemSchema = z.object({
  productId: id,
  name: text(200).min(1),
  quantity: z.number().int().min(1).max(10_000),
  price: money,
});

export const eventPropertySchemas = {
  'customer.updated': z.object({
    email: z.email().max(254).optional(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as "+14155550123"').optional(),
    firstName: text(100).optional(),
    timezone: timeZone.optional(),
    emailOptIn: z.boolean().optional(),
    smsOptIn: z.boolean().optional(),
  }),
  'customer.unsubscribed': z.object({ channel: z.enum(['email', 'sms', 'all']) }),
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
    total: money.optional(),
    currency: currency.optional(),
  }),
  'session.started': z.object({}),
  'churn.risk_scored': z.object({ score: z.number().min(0).max(1), model: text(100).optional() }),
} as const;

export type EventType = keyof typeof eventPropertySchemas;
export const EVENT_TYPES = Object.keys(eventPropertySchemas) as EventType[];

const envelopeSchema = z.object({
  eventId: id,
  type: z.string().min(1).max(64),
  customerId: id,
  occurredAt: z.iso.datetime({ offset: true }),
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

export type ParseResult =
  | { ok: true; event: CustomerEvent }
  | { ok: false; reason: RejectionReason; detail: string };

function reject(reason: RejectionReason, detail: string): ParseResult {
  return { ok: false, reason, detail };
}

function describeIssue(issue: z.core.$ZodIssue, prefix = ''): { reason: RejectionReason; detail: string } {
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  return { reason: missing ? 'missing_field' : 'invalid_field', detail: `${field}: ${missing ? 'required' : issue.message}` };
}

/**
 * Turns one Kafka message into a validated event, or names exactly why it cannot be one.
 * `now` is passed in so that "absurd timestamp" is testable.
 */
export function parseEvent(value: Buffer | string | null, key: Buffer | string | null, now: number): ParseResult {
  if (value === null || value.length === 0) return reject('empty_message', 'the message has no value');
  const byteLength = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (byteLength > MAX_EVENT_BYTES) return reject('oversized', `${byteLength} bytes exceeds the limit of ${MAX_EVENT_BYTES}`);

  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch (error) {
    return reject('invalid_json', (error as Error).message);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return reject('not_an_object', `expected a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
  }

  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const issue = envelope.error.issues[0]!;
    const described = describeIssue(issue);
    if (issue.path[0] === 'occurredAt' && described.reason === 'invalid_field') {
      return reject('invalid_timestamp', 'occurredAt: expected an ISO-8601 timestamp with a time zone');
    }
    return reject(described.reason, described.detail);
  }
  const { eventId, type, customerId, occurredAt, properties } = envelope.data;

  const occurredAtMs = Date.parse(occurredAt);
  if (occurredAtMs < EARLIEST_OCCURRED_AT || occurredAtMs > now + MAX_FUTURE_SKEW_MS) {
    return reject('invalid_timestamp', `occurredAt: ${occurredAt} is outside the accepted range (2000-01-01 to now + 24h)`);
  }

  if (!(type in eventPropertySchemas)) return reject('unknown_type', `type: "${type}" is not one of ${EVENT_TYPES.join(', ')}`);
  const eventType = type as EventType;
  const parsedProperties = eventPropertySchemas[eventType].safeParse(properties);
  if (!parsedProperties.success) {
    const described = describeIssue(parsedProperties.error.issues[0]!, 'properties');
    return reject(described.reason, described.detail);
  }

  if (key === null || key.length === 0) return reject('missing_key', 'the message key must be the customerId');
  if (key.toString() !== customerId) return reject('key_mismatch', 'the message key differs from customerId');

  return {
    ok: true,
    event: { eventId, type: eventType, customerId, occurredAt, properties: parsedProperties.data } as CustomerEvent,
  };
}
