import { between, seededRandom } from '../chaos/rng';

/**
 * The lift run's simulated storefront and its known truth: shoppers who browse a product, and who
 * order with probability p1 if a reminder reached their mailbox and p0 if none did, decided by a
 * seeded generator that knows nothing of the engine but what each shopper received.
 */

export interface Shopper {
  customerId: string;
  email: string;
}

export interface PlannedOrder {
  customerId: string;
  orderId: string;
  total: number;
  currency: 'EUR' | 'USD';
  /** Whether the shopper had received a reminder when deciding. */
  reminded: boolean;
}

export interface OrderOdds {
  /** The chance that a reminded shopper orders. */
  p1: number;
  /** The chance that a shopper who got no reminder orders. */
  p0: number;
}

/** One in ten orders is paid in dollars, so the report must keep two currencies apart. */
const DOLLAR_SHARE = 0.1;

export function shoppersOf(label: string, count: number, domain: string): Shopper[] {
  return Array.from({ length: count }, (_, index) => {
    const customerId = `${label}-${index}`;
    return { customerId, email: `${customerId}@${domain}` };
  });
}

export function decideOrders(
  seed: number,
  shoppers: readonly Shopper[],
  reminded: ReadonlySet<string>,
  odds: OrderOdds,
): PlannedOrder[] {
  const random = seededRandom(seed);
  const orders: PlannedOrder[] = [];
  for (const shopper of shoppers) {
    const wasReminded = reminded.has(shopper.customerId);
    const ordersNow = random() < (wasReminded ? odds.p1 : odds.p0);
    const total = between(random, 2_000, 20_000) / 100;
    const currency = random() < DOLLAR_SHARE ? 'USD' : 'EUR';
    if (ordersNow)
      orders.push({
        customerId: shopper.customerId,
        orderId: `order-${shopper.customerId}`,
        total,
        currency,
        reminded: wasReminded,
      });
  }
  return orders;
}

export function productViewed(shopper: Shopper, now: Date) {
  return {
    eventId: `view-${shopper.customerId}`,
    type: 'product.viewed',
    customerId: shopper.customerId,
    occurredAt: now.toISOString(),
    properties: { productId: 'lamp-1', name: 'Brass desk lamp', price: 89, currency: 'EUR' },
  };
}

export function customerUpdated(shopper: Shopper, now: Date) {
  return {
    eventId: `profile-${shopper.customerId}`,
    type: 'customer.updated',
    customerId: shopper.customerId,
    occurredAt: now.toISOString(),
    properties: { email: shopper.email, firstName: 'Sam', emailOptIn: true },
  };
}

export function orderPlaced(order: PlannedOrder, now: Date) {
  return {
    eventId: `placed-${order.orderId}`,
    type: 'order.placed',
    customerId: order.customerId,
    occurredAt: now.toISOString(),
    properties: { orderId: order.orderId, total: order.total, currency: order.currency },
  };
}
