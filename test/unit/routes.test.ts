import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeEvent } from '../../bridge/routes';
import type { CustomerEvent } from '../../contract/events';

const base = { eventId: 'e1', customerId: 'c1', occurredAt: '2026-06-01T12:00:00Z' };

describe('routing table', () => {
  const cases: Array<[string, CustomerEvent, ReturnType<typeof routeEvent>]> = [
    ['a cart with items starts or signals the cart journey',
      { ...base, type: 'cart.updated', properties: { cartId: 'k', items: [{ productId: 'p', name: 'n', quantity: 1, price: 1 }] } },
      [{ kind: 'startOrSignal', campaign: 'cart-abandonment' }]],
    ['an emptied cart only signals a running cart journey',
      { ...base, type: 'cart.updated', properties: { cartId: 'k', items: [] } },
      [{ kind: 'signalIfRunning', campaign: 'cart-abandonment' }]],
    ['an order only signals a running cart journey',
      { ...base, type: 'order.placed', properties: { orderId: 'o' } },
      [{ kind: 'signalIfRunning', campaign: 'cart-abandonment' }]],
    ['a profile update goes to the profile store',
      { ...base, type: 'customer.updated', properties: { emailOptIn: true } },
      [{ kind: 'updateProfile' }]],
  ];
  for (const [what, event, expected] of cases) {
    it(what, () => assert.deepEqual(routeEvent(event), expected));
  }
});
