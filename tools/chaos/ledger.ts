import { createDb } from '../../platform/db/database';

export interface LedgerRow {
  customerId: string;
  step: string;
  channel: string;
  state: string;
  attempts: number;
  reason: string | null;
}

/** What the delivery ledger recorded for some customers: the first place to look when a count is off. */
export async function ledgerOf(databaseUrl: string, customerIds: string[]): Promise<LedgerRow[]> {
  if (customerIds.length === 0) return [];
  const db = createDb(databaseUrl, 1);
  try {
    const rows = await db
      .selectFrom('deliveries')
      .select(['customer_id', 'step', 'channel', 'state', 'attempts', 'reason'])
      .where('customer_id', 'in', customerIds)
      .orderBy('customer_id')
      .orderBy('created_at')
      .execute();
    return rows.map((row) => ({
      customerId: row.customer_id,
      step: row.step,
      channel: row.channel,
      state: row.state,
      attempts: row.attempts,
      reason: row.reason,
    }));
  } finally {
    await db.destroy();
  }
}
