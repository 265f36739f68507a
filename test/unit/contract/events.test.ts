import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_MAX_FUTURE_SKEW_MS,
  EVENT_TYPES,
  MAX_EVENT_BYTES,
  parseEvent,
  type RejectionReason,
} from '../../../contract/events';

const now = Date.parse('2026-06-01T12:00:00Z');
const occurredAt = '2026-06-01T11:59:00Z';

const aMessage = {
  messageId: 'sms-1f2e',
  channel: 'sms',
  campaign: 'cart-abandonment',
  step: 'reminder-2',
  journeyId: 'e1',
};

const validProperties: Record<string, object> = {
  'customer.updated': {
    email: 'ann@example.com',
    phone: '+14155550123',
    firstName: 'Ann',
    timezone: 'Europe/Paris',
    emailOptIn: true,
    smsOptIn: false,
  },
  'customer.unsubscribed': { channel: 'all' },
  'product.viewed': {
    productId: 'p1',
    name: 'Mug',
    url: 'https://shop.example/p1',
    price: 9.5,
    currency: 'EUR',
    category: 'kitchen',
  },
  'cart.updated': { cartId: 'k1', items: [{ productId: 'p1', name: 'Mug', quantity: 1, price: 9.5 }], currency: 'EUR' },
  'order.placed': { orderId: 'o1', cartId: 'k1', total: 9.5, currency: 'EUR' },
  'session.started': {},
  'churn.risk_scored': { score: 0.82, model: 'v3' },
  'message.delivered': { ...aMessage, provider: 'twilio', providerMessageId: 'SM123' },
  'message.failed': { ...aMessage, provider: 'twilio', errorCode: '30003', reason: 'unreachable handset' },
  'message.bounced': { ...aMessage, channel: 'email', provider: 'sendgrid', bounceType: 'hard', reason: '550 5.1.1' },
  'message.complained': { ...aMessage, channel: 'email', provider: 'sendgrid' },
  'message.opened': { ...aMessage, channel: 'email', provider: 'tracking' },
  'message.clicked': { ...aMessage, provider: 'tracking', url: 'https://shop.example/cart' },
};

function event(overrides: Record<string, unknown> = {}) {
  return {
    eventId: 'e1',
    type: 'cart.updated',
    customerId: 'c1',
    occurredAt,
    properties: validProperties['cart.updated'],
    ...overrides,
  };
}

describe('event contract', () => {
  for (const type of EVENT_TYPES) {
    it(`accepts a valid ${type} event and keeps its properties`, () => {
      const result = parseEvent(JSON.stringify(event({ type, properties: validProperties[type] })), 'c1', now);
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.event.type, type);
      assert.deepEqual(result.event.properties, validProperties[type]);
    });
  }

  it('ignores unknown extra fields', () => {
    const result = parseEvent(
      JSON.stringify(event({ extra: 1, properties: { ...validProperties['cart.updated'], coupon: 'X' } })),
      'c1',
      now,
    );
    assert.ok(result.ok);
    assert.equal('coupon' in result.event.properties, false);
  });

  const rejections: Array<[string, string | null, string | null, RejectionReason, RegExp?]> = [
    ['an empty value', '', 'c1', 'empty_message'],
    ['a null value', null, 'c1', 'empty_message'],
    ['bad JSON', '{"eventId": ', 'c1', 'invalid_json'],
    ['a JSON array', '[1,2]', 'c1', 'not_an_object'],
    ['a JSON string', '"hello"', 'c1', 'not_an_object'],
    ['JSON null', 'null', 'c1', 'not_an_object'],
    ['a missing eventId', JSON.stringify(event({ eventId: undefined })), 'c1', 'missing_field', /eventId/],
    ['a missing customerId', JSON.stringify(event({ customerId: undefined })), 'c1', 'missing_field', /customerId/],
    ['a missing type', JSON.stringify(event({ type: undefined })), 'c1', 'missing_field', /type/],
    ['a numeric customerId', JSON.stringify(event({ customerId: 42 })), 'c1', 'invalid_field', /customerId/],
    ['an empty eventId', JSON.stringify(event({ eventId: '' })), 'c1', 'invalid_field', /eventId/],
    [
      'a 129-character customerId',
      JSON.stringify(event({ customerId: 'x'.repeat(129) })),
      'x'.repeat(129),
      'invalid_field',
      /customerId/,
    ],
    [
      'a control character in customerId',
      JSON.stringify(event({ customerId: 'c1\u0000' })),
      'c1\u0000',
      'invalid_field',
      /customerId/,
    ],
    ['an unknown type', JSON.stringify(event({ type: 'cart.exploded' })), 'c1', 'unknown_type', /cart\.exploded/],
    [
      'a timestamp without time zone',
      JSON.stringify(event({ occurredAt: '2026-06-01 11:59' })),
      'c1',
      'invalid_timestamp',
    ],
    ['a timestamp in 1970', JSON.stringify(event({ occurredAt: '1970-01-01T00:00:00Z' })), 'c1', 'invalid_timestamp'],
    [
      'a timestamp a week ahead',
      JSON.stringify(event({ occurredAt: '2026-06-08T12:00:00Z' })),
      'c1',
      'invalid_timestamp',
    ],
    [
      'properties of the wrong type',
      JSON.stringify(event({ properties: { cartId: 'k', items: 'many' } })),
      'c1',
      'invalid_field',
      /properties\.items/,
    ],
    [
      'a cart item without a name',
      JSON.stringify(event({ properties: { cartId: 'k', items: [{ productId: 'p', quantity: 1, price: 1 }] } })),
      'c1',
      'missing_field',
      /properties\.items\.0\.name/,
    ],
    [
      'a negative price',
      JSON.stringify(
        event({ properties: { cartId: 'k', items: [{ productId: 'p', name: 'n', quantity: 1, price: -1 }] } }),
      ),
      'c1',
      'invalid_field',
      /price/,
    ],
    [
      'a churn score above 1',
      JSON.stringify(event({ type: 'churn.risk_scored', properties: { score: 1.5 } })),
      'c1',
      'invalid_field',
      /score/,
    ],
    [
      'a phone number not in E.164',
      JSON.stringify(event({ type: 'customer.updated', properties: { phone: '0612345678' } })),
      'c1',
      'invalid_field',
      /phone/,
    ],
    [
      'a NUL character in a first name',
      JSON.stringify(event({ type: 'customer.updated', properties: { firstName: 'a\u0000b' } })),
      'c1',
      'invalid_field',
      /firstName/,
    ],
    [
      'an unknown time zone',
      JSON.stringify(event({ type: 'customer.updated', properties: { timezone: 'Mars/Olympus' } })),
      'c1',
      'invalid_field',
      /timezone/,
    ],
    [
      'an unsubscribe from an unknown channel',
      JSON.stringify(event({ type: 'customer.unsubscribed', properties: { channel: 'fax' } })),
      'c1',
      'invalid_field',
      /channel/,
    ],
    ['no key', JSON.stringify(event()), null, 'missing_key'],
    ['a key that is not the customerId', JSON.stringify(event()), 'someone-else', 'key_mismatch'],
    ['an oversized payload', JSON.stringify(event({ padding: 'x'.repeat(MAX_EVENT_BYTES) })), 'c1', 'oversized'],
  ];

  for (const [what, value, key, reason, detail] of rejections) {
    it(`rejects ${what} as ${reason}`, () => {
      const result = parseEvent(value, key, now);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.reason, reason, result.detail);
      if (detail) assert.match(result.detail, detail);
    });
  }

  describe('timestamps: every accepted occurredAt is storable, and in UTC', () => {
    const parse = (occurred: unknown, overrides: Record<string, unknown> = {}, options?: { maxFutureSkewMs: number }) =>
      parseEvent(JSON.stringify(event({ occurredAt: occurred, ...overrides })), 'c1', now, options);

    for (const [given, utc] of [
      ['2026-06-01T23:00:00+14:00', '2026-06-01T09:00:00.000Z'],
      ['2026-05-31T23:00:00-12:00', '2026-06-01T11:00:00.000Z'],
      ['2026-06-01T11:59:00.123456789Z', '2026-06-01T11:59:00.123Z'],
      ['2026-06-01T11:59:00.9999Z', '2026-06-01T11:59:00.999Z'],
      ['2000-01-01T00:00:00Z', '2000-01-01T00:00:00.000Z'],
    ] as const) {
      it(`accepts ${given} and normalises it to ${utc}`, () => {
        const result = parse(given);
        assert.ok(result.ok, JSON.stringify(result));
        assert.equal(result.event.occurredAt, utc);
      });
    }

    for (const offset of ['+16:00', '-15:30', '+14:30', '-23:59']) {
      it(`rejects the offset ${offset}, which no time zone has, as invalid_timestamp`, () => {
        const result = parse(`2026-06-01T11:00:00${offset}`);
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.reason, 'invalid_timestamp');
        assert.match(result.detail, new RegExp(`offset ${offset.replace('+', '\\+')} is outside -12:00 to \\+14:00`));
      });
    }

    it('bounds the future skew by default to a few minutes', () => {
      assert.equal(DEFAULT_MAX_FUTURE_SKEW_MS, 5 * 60_000);
      assert.ok(parse(new Date(now + 5 * 60_000).toISOString()).ok, 'exactly at the bound is accepted');
      const result = parse(new Date(now + 5 * 60_000 + 1000).toISOString());
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.reason, 'invalid_timestamp');
      assert.match(
        result.detail,
        /is 5m 1s ahead of the bridge's clock; at most 5m 0s is accepted \(EVENT_MAX_FUTURE_SKEW\)/,
      );
    });

    it('takes the accepted skew as an option and says by how much an event is ahead', () => {
      assert.ok(parse(new Date(now + 60_000).toISOString(), {}, { maxFutureSkewMs: 60_000 }).ok);
      const result = parse(new Date(now + 2 * 3_600_000 + 61_000).toISOString(), {}, { maxFutureSkewMs: 60_000 });
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.detail, /is 2h 1m 1s ahead .* at most 1m 0s/);
    });

    it('rejects a day ahead, which the contract used to accept', () => {
      const result = parse(new Date(now + 23 * 3_600_000).toISOString());
      assert.equal(result.ok, false);
    });
  });

  describe('an opt-out applies whatever its timestamp', () => {
    const receivedAt = new Date(now).toISOString();
    const parseTyped = (type: string, properties: object, occurred: unknown, key = 'c1') =>
      parseEvent(JSON.stringify(event({ type, properties, occurredAt: occurred })), key, now);

    for (const [what, occurred] of [
      ['a day ahead', new Date(now + 86_400_000).toISOString()],
      ['with the offset +16:00', '2026-06-01T11:00:00+16:00'],
      ['with an unreadable timestamp', 'yesterday'],
      ['before 2000', '1999-12-31T23:59:59Z'],
    ] as const) {
      it(`rejects an unsubscribe ${what} as invalid_timestamp, carrying its opt-out dated when it was received`, () => {
        const result = parseTyped('customer.unsubscribed', { channel: 'email' }, occurred);
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.reason, 'invalid_timestamp');
        assert.deepEqual(result.optOut, {
          eventId: 'e1',
          type: 'customer.unsubscribed',
          customerId: 'c1',
          occurredAt: receivedAt,
          properties: { channel: 'email' },
        });
      });
    }

    it('keeps only the opt-out of a mis-dated customer.updated', () => {
      const result = parseTyped(
        'customer.updated',
        { email: 'new@example.com', emailOptIn: false, smsOptIn: true },
        new Date(now + 86_400_000).toISOString(),
      );
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.deepEqual(result.optOut, {
        eventId: 'e1',
        type: 'customer.updated',
        customerId: 'c1',
        occurredAt: receivedAt,
        properties: { emailOptIn: false },
      });
    });

    for (const [what, type, properties, key] of [
      ['a mis-dated opt-in', 'customer.updated', { emailOptIn: true }, 'c1'],
      ['a mis-dated cart', 'cart.updated', validProperties['cart.updated']!, 'c1'],
      [
        'a mis-dated unsubscribe whose key is not its customer',
        'customer.unsubscribed',
        { channel: 'all' },
        'someone-else',
      ],
      ['a mis-dated unsubscribe from an unknown channel', 'customer.unsubscribed', { channel: 'fax' }, 'c1'],
    ] as const) {
      it(`carries no opt-out for ${what}`, () => {
        const result = parseTyped(type, properties, '2999-01-01T00:00:00Z', key);
        assert.equal(result.ok, false);
        if (result.ok) return;
        assert.equal(result.reason, 'invalid_timestamp');
        assert.equal(result.optOut, undefined);
      });
    }
  });
});
