/** Builders for contract-valid events with IDs unique to the test run. */

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}`;

export function customerUpdated(customerId: string, properties: Record<string, unknown>, occurredAt = new Date()) {
  return {
    eventId: nextId('upd'),
    type: 'customer.updated',
    customerId,
    occurredAt: occurredAt.toISOString(),
    properties,
  };
}

export function cartUpdated(
  customerId: string,
  items: Array<{ productId: string; name: string; quantity: number; price: number }>,
  occurredAt = new Date(),
) {
  return {
    eventId: nextId('cart'),
    type: 'cart.updated',
    customerId,
    occurredAt: occurredAt.toISOString(),
    properties: { cartId: `cart-${customerId}`, items, currency: 'EUR' },
  };
}

export function productViewed(customerId: string, productId = 'mug-1', occurredAt = new Date()) {
  return {
    eventId: nextId('view'),
    type: 'product.viewed',
    customerId,
    occurredAt: occurredAt.toISOString(),
    properties: { productId, name: 'Blue mug' },
  };
}

export function orderPlaced(customerId: string, occurredAt = new Date()) {
  return {
    eventId: nextId('order'),
    type: 'order.placed',
    customerId,
    occurredAt: occurredAt.toISOString(),
    properties: { orderId: nextId('o'), total: 25 },
  };
}

export const mug = { productId: 'mug-1', name: 'Blue mug', quantity: 2, price: 12.5 };
