import { sql } from 'kysely';
import type { Db } from './database';

/**
 * The journey presence record (docs/JOURNEYS.md, *Signalling only journeys that may run*): a row
 * for each customer's journey of a campaign that may be running, written before every start.
 */

export interface PresenceKey {
  campaign: string;
  customerId: string;
}

/** A row as read: its generation, and whether its last write is older than `settleMs`. */
export interface PresenceRow extends PresenceKey {
  generation: string;
  settled: boolean;
}

/** Writes (or rewrites, with a new generation) the rows: from now on, these journeys may be running. */
export async function markPossiblyRunning(db: Db, keys: readonly PresenceKey[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .insertInto('journey_presence')
    .values(keys.map(({ campaign, customerId }) => ({ campaign, customer_id: customerId })))
    .onConflict((conflict) =>
      conflict.columns(['campaign', 'customer_id']).doUpdateSet({
        generation: sql`nextval('journey_presence_generation')`,
        marked_at: sql`now()`,
      }),
    )
    .execute();
}

/** The row, or null when no start was attempted since the journey was last found not running. */
export async function findPresence(db: Db, key: PresenceKey, settleMs: number): Promise<PresenceRow | null> {
  const row = await db
    .selectFrom('journey_presence')
    .select(['generation', sql<boolean>`marked_at < now() - make_interval(secs => ${settleMs / 1000})`.as('settled')])
    .where('campaign', '=', key.campaign)
    .where('customer_id', '=', key.customerId)
    .executeTakeFirst();
  return row ? { ...key, generation: String(row.generation), settled: row.settled } : null;
}

/** Deletes the row if it is still as read: a write since (a start attempted) keeps it. */
export async function forgetPresence(db: Db, row: PresenceRow): Promise<boolean> {
  const result = await db
    .deleteFrom('journey_presence')
    .where('campaign', '=', row.campaign)
    .where('customer_id', '=', row.customerId)
    .where('generation', '=', row.generation as never)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Whether the journeys running before the record existed have been added to it. */
export async function presenceBackfilled(db: Db): Promise<boolean> {
  const row = await db.selectFrom('journey_presence_backfill').select('completed_at').executeTakeFirst();
  return row !== undefined;
}

export async function recordPresenceBackfilled(db: Db): Promise<void> {
  await db
    .insertInto('journey_presence_backfill')
    .defaultValues()
    .onConflict((conflict) => conflict.column('id').doNothing())
    .execute();
}
