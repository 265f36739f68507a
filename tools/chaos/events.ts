import type { ChaosCustomer } from './cast';

/** A contract event as the chaos storefront publishes it. */
export interface ChaosEvent {
  eventId: string;
  type: string;
  customerId: string;
  occurredAt: string;
  properties: Record<string, unknown>;
}

function event(customer: ChaosCustomer, type: string, properties: Record<string, unknown>): ChaosEvent {
  return {
    eventId: `${customer.customerId}:${type}`,
    type,
    customerId: customer.customerId,
    occurredAt: new Date().toISOString(),
    properties,
  };
}

export function profile(customer: ChaosCustomer): ChaosEvent {
  return event(customer, 'customer.updated', {
    email: customer.email,
    firstName: 'Chaos',
    emailOptIn: true,
    ...(customer.phone ? { phone: customer.phone, smsOptIn: customer.smsOptIn } : {}),
  });
}

/** The event that opens the customer's journey. */
export function entry(customer: ChaosCustomer): ChaosEvent {
  switch (customer.story) {
    case 'cart-completes':
    case 'cart-converts':
    case 'cart-unsubscribes':
      return event(customer, 'cart.updated', {
        cartId: `cart-${customer.customerId}`,
        currency: 'EUR',
        items: [{ productId: 'mug-1', name: 'Blue mug', quantity: 1, price: 12.5 }],
      });
    case 'browse':
      return event(customer, 'product.viewed', { productId: 'hat-1', name: 'Straw hat', price: 25, currency: 'EUR' });
    case 'churn-completes':
    case 'churn-returns':
      return event(customer, 'churn.risk_scored', { score: 0.9, model: 'chaos' });
  }
}

/** The event that ends the journey early, for the stories that have one. */
export function exit(customer: ChaosCustomer): ChaosEvent {
  switch (customer.story) {
    case 'cart-converts':
      return event(customer, 'order.placed', {
        orderId: `order-${customer.customerId}`,
        cartId: `cart-${customer.customerId}`,
        total: 12.5,
        currency: 'EUR',
      });
    case 'cart-unsubscribes':
      return event(customer, 'customer.unsubscribed', { channel: 'all' });
    case 'churn-returns':
      return event(customer, 'session.started', {});
    default:
      throw new Error(`the ${customer.story} story has no exit`);
  }
}
