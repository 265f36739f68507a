import type { EventOf } from '../../contract/events';
import type { Db } from './database';

/**
 * Records an order the storefront reported (docs/EXPERIMENTS.md), for conversions and revenue. The
 * first write of an order ID stands: a duplicate event, a replay of the topic or another event for
 * the same order changes nothing. Returns what it did, for the bridge's log.
 */
export async function recordOrder(db: Db, event: EventOf<'order.placed'>): Promise<string> {
  const { orderId, total, currency } = event.properties;
  const inserted = await db
    .insertInto('orders')
    .values({
      order_id: orderId,
      customer_id: event.customerId,
      occurred_at: new Date(event.occurredAt),
      total: total ?? null,
      currency: currency ?? null,
      event_id: event.eventId,
    })
    .onConflict((conflict) => conflict.column('order_id').doNothing())
    .returning('order_id')
    .executeTakeFirst();
  return inserted ? 'order recorded' : 'order already recorded';
}
