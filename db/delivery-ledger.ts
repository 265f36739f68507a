import { sql, type Insertable } from 'kysely';
import type { Db } from './database';
import type { Channel, DeliveriesTable } from './schema';

/**
 * The delivery ledger: one row per idempotency key. A send is reserved before the provider is
 * called and confirmed after, so a retried or concurrent execution never sends twice.
 */

export interface DeliveryKey {
  idempotencyKey: string;
  campaign: string;
  customerId: string;
  step: string;
  channel: Channel;
}

export interface DeliveryRecord {
  state: DeliveriesTable['state'];
  reason: string | null;
  messageId: string | null;
  providerMessageId: string | null;
  attempts: number;
}

export type Reservation =
  | { kind: 'reserved' }
  | { kind: 'in_progress' }
  | { kind: 'settled'; record: DeliveryRecord };

export const AMBIGUOUS_REASON = 'ambiguous: an earlier attempt began sending and never confirmed; not resent (at-most-once policy)';

function newRow(key: DeliveryKey, fields: Pick<Insertable<DeliveriesTable>, 'state'> & Partial<Insertable<DeliveriesTable>>): Insertable<DeliveriesTable> {
  return {
    idempotency_key: key.idempotencyKey,
    campaign: key.campaign,
    customer_id: key.customerId,
    step: key.step,
    channel: key.channel,
    reason: null,
    message_id: null,
    provider_message_id: null,
    sent_at: null,
    ...fields,
  };
}

export async function findDelivery(db: Db, idempotencyKey: string): Promise<DeliveryRecord | null> {
  const row = await db.selectFrom('deliveries')
    .select(['state', 'reason', 'message_id', 'provider_message_id', 'attempts'])
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? { state: row.state, reason: row.reason, messageId: row.message_id, providerMessageId: row.provider_message_id, attempts: row.attempts } : null;
}

/**
 * Claims the right to send. A reservation older than `leaseMs` that was never confirmed means a
 * worker died mid-send: the provider may or may not have accepted the message, and the ledger
 * settles it as `unknown` rather than risk a duplicate.
 */
export async function reserveDelivery(db: Db, key: DeliveryKey, messageId: string, leaseMs: number): Promise<Reservation> {
  const inserted = await db.insertInto('deliveries')
    .values(newRow(key, { state: 'sending', message_id: messageId }))
    .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
    .returning('idempotency_key')
    .executeTakeFirst();
  if (inserted) return { kind: 'reserved' };

  const expired = await db.updateTable('deliveries')
    .set({ state: 'unknown', reason: AMBIGUOUS_REASON, updated_at: sql<Date>`now()`, attempts: sql<number>`attempts + 1` })
    .where('idempotency_key', '=', key.idempotencyKey)
    .where('state', '=', 'sending')
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${leaseMs / 1000})`)
    .executeTakeFirst();
  const record = await findDelivery(db, key.idempotencyKey);
  if (!record) return reserveDelivery(db, key, messageId, leaseMs);
  if (record.state === 'sending' && expired.numUpdatedRows === 0n) return { kind: 'in_progress' };
  return { kind: 'settled', record };
}

export async function confirmSent(db: Db, idempotencyKey: string, providerMessageId: string): Promise<void> {
  await db.updateTable('deliveries')
    .set({ state: 'sent', provider_message_id: providerMessageId, sent_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('idempotency_key', '=', idempotencyKey)
    .execute();
}

/** Gives the reservation back after a failure that proves the provider did not accept the message. */
export async function releaseReservation(db: Db, idempotencyKey: string): Promise<void> {
  await db.deleteFrom('deliveries').where('idempotency_key', '=', idempotencyKey).where('state', '=', 'sending').execute();
}

export async function settleDelivery(db: Db, idempotencyKey: string, state: 'failed' | 'unknown', reason: string): Promise<void> {
  await db.updateTable('deliveries')
    .set({ state, reason, updated_at: sql<Date>`now()` })
    .where('idempotency_key', '=', idempotencyKey)
    .execute();
}

/** Records a step that was not sent for an expected reason (no consent, no address); keeps any earlier record. */
export async function recordSkipped(db: Db, key: DeliveryKey, reason: string): Promise<DeliveryRecord> {
  await db.insertInto('deliveries')
    .values(newRow(key, { state: 'skipped', reason }))
    .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
    .execute();
  return (await findDelivery(db, key.idempotencyKey))!;
}
