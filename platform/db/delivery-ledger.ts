import { sql, type Insertable } from 'kysely';
import type { Db } from './database';
import type { Channel, DeliveriesTable, DeliveryState, DeliveryStatus } from './schema';
import { suppressedReason, suppressionInForce } from './suppressions';

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

/** The template version a message was rendered from. */
export interface TemplateUsed {
  id: string;
  version: number;
}

export interface DeliveryRecord {
  state: DeliveriesTable['state'];
  reason: string | null;
  messageId: string | null;
  providerMessageId: string | null;
  attempts: number;
  /** Set when the send was first reserved; a retry renders this same version. */
  template: TemplateUsed | null;
}

export type Reservation =
  | { kind: 'reserved' }
  | { kind: 'in_progress' }
  /** `settledNow`: this call settled the key (a suppression, the cap, an expired lease); absent: settled before. */
  | { kind: 'settled'; record: DeliveryRecord; settledNow?: 'suppressed' | 'capped' | 'lease_expired' };

export const AMBIGUOUS_REASON =
  'ambiguous: an earlier attempt began sending and never confirmed; not resent (at-most-once policy)';

function newRow(
  key: DeliveryKey,
  fields: Pick<Insertable<DeliveriesTable>, 'state'> & Partial<Insertable<DeliveriesTable>>,
): Insertable<DeliveriesTable> {
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
    contact_at: null,
    ...fields,
  };
}

export async function findDelivery(db: Db, idempotencyKey: string): Promise<DeliveryRecord | null> {
  const row = await db
    .selectFrom('deliveries')
    .select(['state', 'reason', 'message_id', 'provider_message_id', 'attempts', 'template_id', 'template_version'])
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row
    ? {
        state: row.state,
        reason: row.reason,
        messageId: row.message_id,
        providerMessageId: row.provider_message_id,
        attempts: row.attempts,
        template:
          row.template_id !== null && row.template_version !== null
            ? { id: row.template_id, version: row.template_version }
            : null,
      }
    : null;
}

export interface FrequencyCap {
  /** At most this many contacts per customer and channel in the window; 0 disables the cap. */
  limit: number;
  windowMs: number;
}

export const CAPPED_REASON = 'frequency cap reached';

/**
 * Whether a contact at `atMs` would put more than `limit` contacts in some window of `windowMs`
 * (two contacts share a window when they are less than `windowMs` apart), looking both ways: a
 * contact scheduled later but reserved first counts as much as one before. Only the windows that
 * start at `atMs` or at an earlier contact less than a window before it need checking.
 */
export function exceedsCap(atMs: number, otherContactsMs: number[], cap: FrequencyCap): boolean {
  if (cap.limit <= 0) return false;
  const starts = [atMs, ...otherContactsMs.filter((at) => at <= atMs && at > atMs - cap.windowMs)];
  return starts.some(
    (start) => 1 + otherContactsMs.filter((at) => at >= start && at < start + cap.windowMs).length > cap.limit,
  );
}

/**
 * Claims the right to send, atomically with the frequency cap: a per-(customer, channel) advisory
 * lock serialises every journey that wants to contact this customer on this channel, so two
 * campaigns racing cannot both pass, whichever contact time each has. `contactAtMs` is the
 * journey's own clock.
 *
 * A reservation older than `leaseMs` that was never confirmed means a worker died mid-send: the
 * provider may or may not have accepted the message, and the ledger settles it as `unknown`
 * rather than risk a duplicate.
 *
 * `template` is the version the message was rendered from, recorded with the reservation.
 *
 * `address` is where the message would go: a suppression in force for it (a hard bounce, a
 * complaint, a carrier opt-out, an operator's) settles the key `skipped`, `suppressed: …`, in the
 * transaction that takes the reservation, so a suppression recorded before it is never missed.
 */
export async function reserveDelivery(
  db: Db,
  key: DeliveryKey,
  messageId: string,
  options: { leaseMs: number; contactAtMs: number; cap: FrequencyCap; address: string; template?: TemplateUsed },
): Promise<Reservation> {
  const contactAt = new Date(options.contactAtMs);
  const template = options.template
    ? { template_id: options.template.id, template_version: options.template.version }
    : {};
  const inserted = await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`${key.customerId}|${key.channel}`}))`.execute(tx);
    const existing = await tx
      .selectFrom('deliveries')
      .select('state')
      .where('idempotency_key', '=', key.idempotencyKey)
      .forUpdate()
      .executeTakeFirst();
    if (existing && existing.state !== 'retrying') return false;
    const suppression = await suppressionInForce(tx, key.channel, options.address);
    if (suppression) {
      await settleSkipped(tx, key, existing !== undefined, suppressedReason(suppression), contactAt);
      return 'suppressed' as const;
    }
    if (options.cap.limit > 0) {
      const nearby = await tx
        .selectFrom('deliveries')
        .select('contact_at')
        .where('customer_id', '=', key.customerId)
        .where('channel', '=', key.channel)
        .where('state', 'in', ['sending', 'sent', 'unknown'])
        .where('contact_at', '>', new Date(options.contactAtMs - options.cap.windowMs))
        .where('contact_at', '<', new Date(options.contactAtMs + options.cap.windowMs))
        .where('idempotency_key', '!=', key.idempotencyKey)
        .execute();
      const others = nearby.flatMap((row) => (row.contact_at ? [row.contact_at.getTime()] : []));
      if (exceedsCap(options.contactAtMs, others, options.cap)) {
        await settleSkipped(tx, key, existing !== undefined, CAPPED_REASON, contactAt);
        return 'capped' as const;
      }
    }
    if (existing) {
      await tx
        .updateTable('deliveries')
        .set({
          state: 'sending',
          reason: null,
          message_id: messageId,
          contact_at: contactAt,
          ...template,
          attempts: sql<number>`attempts + 1`,
          updated_at: sql<Date>`now()`,
        })
        .where('idempotency_key', '=', key.idempotencyKey)
        .execute();
    } else {
      await tx
        .insertInto('deliveries')
        .values(newRow(key, { state: 'sending', message_id: messageId, contact_at: contactAt, ...template }))
        .execute();
    }
    return true;
  });
  if (inserted === true) return { kind: 'reserved' };

  const expired = await db
    .updateTable('deliveries')
    .set({
      state: 'unknown',
      reason: AMBIGUOUS_REASON,
      updated_at: sql<Date>`now()`,
      attempts: sql<number>`attempts + 1`,
    })
    .where('idempotency_key', '=', key.idempotencyKey)
    .where('state', '=', 'sending')
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${options.leaseMs / 1000})`)
    .executeTakeFirst();
  const record = await findDelivery(db, key.idempotencyKey);
  // Released by a concurrent attempt between our two reads: take it now.
  if (!record || record.state === 'retrying') return reserveDelivery(db, key, messageId, options);
  if (record.state === 'sending' && expired.numUpdatedRows === 0n) return { kind: 'in_progress' };
  if (inserted !== false) return { kind: 'settled', record, settledNow: inserted };
  return expired.numUpdatedRows > 0n
    ? { kind: 'settled', record, settledNow: 'lease_expired' }
    : { kind: 'settled', record };
}

/** Settles a key the reservation refused (the cap, a suppression): a waiting row is updated, a new one inserted. */
async function settleSkipped(
  tx: Db,
  key: DeliveryKey,
  exists: boolean,
  reason: string,
  contactAt: Date,
): Promise<void> {
  if (exists) {
    await tx
      .updateTable('deliveries')
      .set({ state: 'skipped', reason, updated_at: sql<Date>`now()` })
      .where('idempotency_key', '=', key.idempotencyKey)
      .execute();
  } else {
    await tx
      .insertInto('deliveries')
      .values(newRow(key, { state: 'skipped', reason, contact_at: contactAt }))
      .execute();
  }
}

export async function confirmSent(db: Db, idempotencyKey: string, providerMessageId: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({
      state: 'sent',
      provider_message_id: providerMessageId,
      sent_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('idempotency_key', '=', idempotencyKey)
    .execute();
}

/**
 * Gives the reservation back after a failure that proves the provider did not accept the message;
 * the next attempt may take it.
 */
export async function releaseReservation(db: Db, idempotencyKey: string, reason: string): Promise<void> {
  // A provider that already reported on the message (a callback faster than the failed answer) has it:
  // settled as sent, never released for a resend.
  await db
    .updateTable('deliveries')
    .set({
      state: sql<DeliveryState>`case when delivery_status is null then 'retrying' else 'sent' end`,
      reason: sql<string>`case when delivery_status is null then ${reason}
        else 'settled by the provider''s callback, which came before this failed answer: ' || ${reason} end`,
      sent_at: sql<Date | null>`case when delivery_status is null then sent_at else coalesce(sent_at, now()) end`,
      updated_at: sql<Date>`now()`,
    })
    .where('idempotency_key', '=', idempotencyKey)
    .where('state', '=', 'sending')
    .execute();
}

export async function settleDelivery(
  db: Db,
  idempotencyKey: string,
  state: 'failed' | 'unknown',
  reason: string,
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ state, reason, updated_at: sql<Date>`now()` })
    .where('idempotency_key', '=', idempotencyKey)
    .execute();
}

/**
 * Records a step that was not sent for an expected reason (no consent, no address). `recordedNow`:
 * this call settled the key (false when an earlier record stands).
 */
export async function recordSkipped(
  db: Db,
  key: DeliveryKey,
  reason: string,
): Promise<DeliveryRecord & { recordedNow: boolean }> {
  const written = await db
    .insertInto('deliveries')
    .values(newRow(key, { state: 'skipped', reason }))
    // A key waiting to be retried is settled by the skip; any other earlier record stands.
    .onConflict((conflict) =>
      conflict
        .column('idempotency_key')
        .doUpdateSet({ state: 'skipped', reason, updated_at: sql<Date>`now()` })
        .where('deliveries.state', '=', 'retrying'),
    )
    .executeTakeFirst();
  return {
    ...(await findDelivery(db, key.idempotencyKey))!,
    recordedNow: Number(written.numInsertedOrUpdatedRows ?? 0n) > 0,
  };
}

export interface JourneyMessage {
  step: string;
  channel: Channel;
  state: DeliveryState;
  reason: string | null;
  messageId: string | null;
  /** The template and version the send rendered; null for a step that was never rendered (skipped). */
  templateId: string | null;
  templateVersion: number | null;
  createdAt: Date;
  sentAt: Date | null;
  /** What the provider reported after accepting it (docs/FEEDBACK.md), null until it reports. */
  deliveryStatus: DeliveryStatus | null;
  deliveryStatusAt: Date | null;
  deliveredAt: Date | null;
  deliveryError: string | null;
  opens: Engagement;
  clicks: Engagement;
}

export interface Engagement {
  count: number;
  first: Date | null;
}

/** Every send one journey instance attempted, oldest first. Journey keys prefix their idempotency keys. */
export async function listJourneyMessages(db: Db, keyPrefix: string): Promise<JourneyMessage[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select([
      'step',
      'channel',
      'state',
      'reason',
      'message_id',
      'template_id',
      'template_version',
      'created_at',
      'sent_at',
      'delivery_status',
      'delivery_status_at',
      'delivered_at',
      'delivery_error',
      'open_count',
      'first_opened_at',
      'click_count',
      'first_clicked_at',
    ])
    .where(sql<boolean>`starts_with(idempotency_key, ${keyPrefix})`)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    step: row.step,
    channel: row.channel,
    state: row.state,
    reason: row.reason,
    messageId: row.message_id,
    templateId: row.template_id,
    templateVersion: row.template_version,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    deliveryStatus: row.delivery_status,
    deliveryStatusAt: row.delivery_status_at,
    deliveredAt: row.delivered_at,
    deliveryError: row.delivery_error,
    opens: { count: row.open_count, first: row.first_opened_at },
    clicks: { count: row.click_count, first: row.first_clicked_at },
  }));
}
