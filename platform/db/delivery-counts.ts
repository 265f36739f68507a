import type { Db } from './database';
import type { Channel, DeliveryState, DeliveryStatus } from './schema';

/** How many ledger rows are in each state: one grouped scan of `deliveries`. */
export async function countDeliveriesByState(db: Db): Promise<Array<{ state: DeliveryState; rows: number }>> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['state', (eb) => eb.fn.countAll<string>().as('rows')])
    .groupBy('state')
    .execute();
  return rows.map((row) => ({ state: row.state, rows: Number(row.rows) }));
}

/** How many sends each provider report status covers, by channel (rows with no report yet are left out). */
export async function countDeliveryStatuses(
  db: Db,
): Promise<Array<{ channel: Channel; status: DeliveryStatus; rows: number }>> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['channel', 'delivery_status', (eb) => eb.fn.countAll<string>().as('rows')])
    .where('delivery_status', 'is not', null)
    .groupBy(['channel', 'delivery_status'])
    .execute();
  return rows.map((row) => ({ channel: row.channel, status: row.delivery_status!, rows: Number(row.rows) }));
}
