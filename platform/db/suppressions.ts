import { sql, type Kysely, type Selectable } from 'kysely';
import type { Db } from './database';
import type { Channel, Database, SuppressionReason, SuppressionsTable } from './schema';

/**
 * The suppression list: addresses no campaign may contact (docs/FEEDBACK.md). At most one
 * suppression per channel and address is in force (the partial unique index
 * `suppressions_in_force`); lifting one keeps it, with who lifted it and why.
 */

export interface Suppression {
  id: string;
  channel: Channel;
  address: string;
  reason: SuppressionReason;
  source: string;
  detail: string | null;
  customerId: string | null;
  messageId: string | null;
  createdAt: Date;
  liftedAt: Date | null;
  liftedBy: string | null;
  liftNote: string | null;
}

export interface NewSuppression {
  channel: Channel;
  address: string;
  reason: SuppressionReason;
  source: string;
  detail?: string | null;
  customerId?: string | null;
  messageId?: string | null;
  eventId?: string | null;
}

/** Email addresses are kept lower-cased, so `Ann@x` and `ann@x` are one address; numbers as given (E.164). */
export function normalisedAddress(channel: Channel, address: string): string {
  return channel === 'email' ? address.trim().toLowerCase() : address.trim();
}

function suppressionOf(row: Selectable<SuppressionsTable>): Suppression {
  return {
    id: String(row.id),
    channel: row.channel,
    address: row.address,
    reason: row.reason,
    source: row.source,
    detail: row.detail,
    customerId: row.customer_id,
    messageId: row.message_id,
    createdAt: row.created_at,
    liftedAt: row.lifted_at,
    liftedBy: row.lifted_by,
    liftNote: row.lift_note,
  };
}

/** The suppression in force for this address, if any; `db` may be a transaction. */
export async function suppressionInForce(
  db: Kysely<Database>,
  channel: Channel,
  address: string,
): Promise<Suppression | null> {
  const row = await db
    .selectFrom('suppressions')
    .selectAll()
    .where('channel', '=', channel)
    .where('address', '=', normalisedAddress(channel, address))
    .where('lifted_at', 'is', null)
    .executeTakeFirst();
  return row ? suppressionOf(row) : null;
}

/** Suppresses an address; null when it already is (the suppression in force stands). `db` may be a transaction. */
export async function addSuppression(db: Kysely<Database>, entry: NewSuppression): Promise<Suppression | null> {
  const row = await db
    .insertInto('suppressions')
    .values({
      channel: entry.channel,
      address: normalisedAddress(entry.channel, entry.address),
      reason: entry.reason,
      source: entry.source,
      detail: entry.detail ?? null,
      customer_id: entry.customerId ?? null,
      message_id: entry.messageId ?? null,
      event_id: entry.eventId ?? null,
      lifted_at: null,
      lifted_by: null,
      lift_note: null,
    })
    .onConflict((conflict) => conflict.columns(['channel', 'address']).where('lifted_at', 'is', null).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? suppressionOf(row) : null;
}

export interface SuppressionFilter {
  channel?: Channel | undefined;
  address?: string | undefined;
  includeLifted?: boolean | undefined;
  /** Only suppressions with a greater id: the `nextAfterId` of the previous page. */
  afterId?: string | undefined;
  limit: number;
}

/** One page of suppressions, oldest first, and the cursor of the next page (null on the last). */
export async function listSuppressions(
  db: Db,
  filter: SuppressionFilter,
): Promise<{ suppressions: Suppression[]; nextAfterId: string | null }> {
  let query = db.selectFrom('suppressions').selectAll();
  if (filter.channel) query = query.where('channel', '=', filter.channel);
  if (filter.address) {
    const address = filter.address;
    query = filter.channel
      ? query.where('address', '=', normalisedAddress(filter.channel, address))
      : query.where((eb) =>
          eb.or([eb('address', '=', address.trim()), eb('address', '=', normalisedAddress('email', address))]),
        );
  }
  if (!filter.includeLifted) query = query.where('lifted_at', 'is', null);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  const rows = await query
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit).map(suppressionOf);
  return { suppressions: page, nextAfterId: rows.length > filter.limit ? page[page.length - 1]!.id : null };
}

/** Lifts the suppression `id` if it is in force; null when there is none in force with that id. */
export async function liftSuppression(
  db: Db,
  id: string,
  lift: { by: string; note?: string | null | undefined },
): Promise<Suppression | null> {
  const row = await db
    .updateTable('suppressions')
    .set({ lifted_at: sql<Date>`now()`, lifted_by: lift.by, lift_note: lift.note ?? null })
    .where('id', '=', id)
    .where('lifted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row ? suppressionOf(row) : null;
}

/** What a send refused for a suppression records as its reason, e.g. `suppressed: hard_bounce (sendgrid)`. */
export function suppressedReason(suppression: Pick<Suppression, 'reason' | 'source'>): string {
  return `suppressed: ${suppression.reason} (${suppression.source})`;
}
