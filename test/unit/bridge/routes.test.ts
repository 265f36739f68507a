import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeEvent } from '../../../bridge/routes';
import { FEEDBACK_EVENT_TYPES, type CustomerEvent } from '../../../contract/events';
import { resolveSettings } from '../../../contract/settings/overrides';

const base = { eventId: 'e1', customerId: 'c1', occurredAt: '2026-06-01T12:00:00Z' };
const context = {
  settings: resolveSettings([{ source: 'test', overrides: { 'churn-retention': { threshold: 0.7 } } }]).campaigns,
};
type Routes = ReturnType<typeof routeEvent>;
const signal = (campaign: string) => ({ kind: 'signalIfRunning', campaign });
const every = ['cart-abandonment', 'browse-abandonment', 'churn-retention', 'post-purchase'].map(signal);

describe('routing table', () => {
  const cases: Array<[string, CustomerEvent, ReturnType<typeof routeEvent>]> = [
    [
      'a cart with items starts the cart journey and ends a browse journey',
      {
        ...base,
        type: 'cart.updated',
        properties: { cartId: 'k', items: [{ productId: 'p', name: 'n', quantity: 1, price: 1 }] },
      },
      [
        { kind: 'startOrSignal', campaign: 'cart-abandonment' },
        { kind: 'signalIfRunning', campaign: 'browse-abandonment' },
      ],
    ],
    [
      'an emptied cart only signals a running cart journey',
      { ...base, type: 'cart.updated', properties: { cartId: 'k', items: [] } },
      [{ kind: 'signalIfRunning', campaign: 'cart-abandonment' }],
    ],
    [
      'a product view starts or signals the browse journey',
      { ...base, type: 'product.viewed', properties: { productId: 'p' } },
      [{ kind: 'startOrSignal', campaign: 'browse-abandonment' }],
    ],
    [
      'an order is recorded, ends the cart, browse and churn journeys and starts or feeds the post-purchase journey',
      { ...base, type: 'order.placed', properties: { orderId: 'o' } },
      [
        { kind: 'recordOrder' },
        ...['cart-abandonment', 'browse-abandonment', 'churn-retention'].map(signal),
        { kind: 'startOrSignal', campaign: 'post-purchase' },
      ] as Routes,
    ],
    [
      'an order with its items routes the same way',
      {
        ...base,
        type: 'order.placed',
        properties: { orderId: 'o', items: [{ productId: 'p', name: 'n', quantity: 1, price: 1 }], total: 1 },
      },
      [
        { kind: 'recordOrder' },
        ...['cart-abandonment', 'browse-abandonment', 'churn-retention'].map(signal),
        { kind: 'startOrSignal', campaign: 'post-purchase' },
      ] as Routes,
    ],
    [
      'a profile update goes to the profile store',
      { ...base, type: 'customer.updated', properties: { emailOptIn: true } },
      [{ kind: 'updateProfile' }],
    ],
    [
      'an unsubscribe updates the profile first, then reaches every running journey of every campaign',
      { ...base, type: 'customer.unsubscribed', properties: { channel: 'all' } },
      [{ kind: 'updateProfile' }, ...every] as Routes,
    ],
    [
      'a session start reaches a running churn journey',
      { ...base, type: 'session.started', properties: {} },
      [{ kind: 'signalIfRunning', campaign: 'churn-retention' }],
    ],
    [
      'a churn score at the threshold starts the churn journey',
      { ...base, type: 'churn.risk_scored', properties: { score: 0.7 } },
      [{ kind: 'startOrSignal', campaign: 'churn-retention' }],
    ],
    [
      'a churn score under the threshold only reaches a running churn journey',
      { ...base, type: 'churn.risk_scored', properties: { score: 0.69 } },
      [{ kind: 'signalIfRunning', campaign: 'churn-retention' }],
    ],
  ];
  it('reads the churn threshold from the settings in force', () => {
    const stricter = {
      settings: resolveSettings([{ source: 'test', overrides: { 'churn-retention': { threshold: 0.9 } } }]).campaigns,
    };
    const event: CustomerEvent = { ...base, type: 'churn.risk_scored', properties: { score: 0.8 } };
    assert.deepEqual(routeEvent(event, stricter), [{ kind: 'signalIfRunning', campaign: 'churn-retention' }]);
  });
  it('records every feedback event on the ledger first, once, and no other event', () => {
    const message = {
      messageId: 'sms-1',
      channel: 'sms',
      campaign: 'cart-abandonment',
      step: 'reminder-2',
      journeyId: 'j1',
      provider: 'twilio',
    } as const;
    const feedback: CustomerEvent[] = [
      { ...base, type: 'message.delivered', properties: message },
      { ...base, type: 'message.failed', properties: { ...message, errorCode: '30003' } },
      { ...base, type: 'message.bounced', properties: { ...message, bounceType: 'hard' } },
      { ...base, type: 'message.complained', properties: message },
      { ...base, type: 'message.opened', properties: message },
      { ...base, type: 'message.clicked', properties: { ...message, url: 'https://shop.example/cart' } },
    ];
    assert.deepEqual(feedback.map((event) => event.type).sort(), [...FEEDBACK_EVENT_TYPES].sort());
    for (const event of feedback) {
      const routes = routeEvent(event, context);
      assert.deepEqual(routes[0], { kind: 'recordFeedback' }, event.type);
      assert.equal(routes.filter((route) => route.kind === 'recordFeedback').length, 1, event.type);
    }
    for (const [what, event] of cases)
      assert.ok(!routeEvent(event, context).some((route) => route.kind === 'recordFeedback'), what);
  });
  it('records every order before any journey hears of it, and no other event as an order', () => {
    for (const [what, event] of cases) {
      const routes = routeEvent(event, context);
      const orders = routes.filter((route) => route.kind === 'recordOrder').length;
      assert.equal(orders, event.type === 'order.placed' ? 1 : 0, what);
      if (orders) assert.deepEqual(routes[0], { kind: 'recordOrder' }, what);
    }
  });
  for (const [what, event, expected] of cases) {
    it(what, () => assert.deepEqual(routeEvent(event, context), expected));
  }
});
