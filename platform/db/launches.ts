import { sql } from 'kysely';
import type { Db } from './database';
import type { LaunchTotals } from '../../contract/campaign-workflows';
import type { LaunchEntryStatus } from './schema';

/** Launches: an audience entered into a campaign, one row per customer, each entered at most once. */

export interface LaunchAudienceMember {
  customerId: string;
  /** The campaign's start body for this customer, already validated. */
  entry: Record<string, unknown>;
}

export interface NewLaunch {
  launchId: string;
  campaign: string;
  ratePerSecond: number;
  startAt: Date | null;
  source: 'inline' | 'upload';
}

export interface Launch extends NewLaunch {
  audienceSize: number;
  duplicates: number;
  createdAt: Date;
}

const INSERT_BATCH = 1_000;

/**
 * Stores a launch and its audience in one transaction, reading the audience as it comes (an upload
 * of a million lines is never held in memory): the batches are inserted as they fill. A customer
 * listed twice is entered once (the first line counts); `duplicates` says how many lines repeated
 * one. A member that `audience` rejects (a bad line) throws, and nothing is stored.
 */
export async function createLaunch(
  db: Db,
  launch: NewLaunch,
  audience: AsyncIterable<LaunchAudienceMember> | Iterable<LaunchAudienceMember>,
): Promise<Launch> {
  return db.transaction().execute(async (tx) => {
    let position = 0;
    let stored = 0;
    let batch: LaunchAudienceMember[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch.map((member) => ({
        launch_id: launch.launchId,
        position: ++position,
        customer_id: member.customerId,
        entry: JSON.stringify(member.entry),
      }));
      batch = [];
      const inserted = await tx
        .insertInto('launch_audience')
        .values(rows)
        .onConflict((conflict) => conflict.columns(['launch_id', 'customer_id']).doNothing())
        .executeTakeFirst();
      stored += Number(inserted.numInsertedOrUpdatedRows ?? 0n);
    };
    for await (const member of audience) {
      batch.push(member);
      if (batch.length >= INSERT_BATCH) await flush();
    }
    await flush();
    const row = await tx
      .insertInto('launches')
      .values({
        launch_id: launch.launchId,
        campaign: launch.campaign,
        rate_per_second: launch.ratePerSecond,
        start_at: launch.startAt,
        audience_size: stored,
        duplicates: position - stored,
        source: launch.source,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return launchOf(row);
  });
}

function launchOf(row: {
  launch_id: string;
  campaign: string;
  rate_per_second: number;
  start_at: Date | null;
  audience_size: number;
  duplicates: number;
  source: 'inline' | 'upload';
  created_at: Date;
}): Launch {
  return {
    launchId: row.launch_id,
    campaign: row.campaign,
    ratePerSecond: row.rate_per_second,
    startAt: row.start_at,
    source: row.source,
    audienceSize: row.audience_size,
    duplicates: row.duplicates,
    createdAt: row.created_at,
  };
}

export async function findLaunch(db: Db, campaign: string, launchId: string): Promise<Launch | null> {
  const row = await db
    .selectFrom('launches')
    .selectAll()
    .where('launch_id', '=', launchId)
    .where('campaign', '=', campaign)
    .executeTakeFirst();
  return row ? launchOf(row) : null;
}

/** The campaign's launches, newest first. */
export async function listLaunches(db: Db, campaign: string, limit: number): Promise<Launch[]> {
  const rows = await db
    .selectFrom('launches')
    .selectAll()
    .where('campaign', '=', campaign)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(launchOf);
}

export interface AudienceRow extends LaunchAudienceMember {
  position: number;
  status: LaunchEntryStatus;
  attempts: number;
}

/** The next members after `afterPosition`, in audience order, whatever their status. */
export async function audiencePage(
  db: Db,
  launchId: string,
  afterPosition: number,
  limit: number,
): Promise<AudienceRow[]> {
  const rows = await db
    .selectFrom('launch_audience')
    .select(['position', 'customer_id', 'entry', 'status', 'attempts'])
    .where('launch_id', '=', launchId)
    .where('position', '>', afterPosition)
    .orderBy('position')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    position: row.position,
    customerId: row.customer_id,
    entry: row.entry as Record<string, unknown>,
    status: row.status,
    attempts: row.attempts,
  }));
}

export type MemberClaim = { kind: 'first' } | { kind: 'again'; attempts: number } | { kind: 'settled' };

/**
 * Claims the member for an attempt at entering it. `first`: nobody tried before, so no journey of
 * this launch exists for them; `again`: an earlier attempt (crashed, or still running beside this
 * one) may have started it; `settled`: nothing more to do. Decided by the row itself, never by an
 * earlier read of it.
 */
export async function claimMember(db: Db, launchId: string, customerId: string): Promise<MemberClaim> {
  const member = (query: ReturnType<typeof updateMember>) =>
    query.where('launch_id', '=', launchId).where('customer_id', '=', customerId);
  const first = await member(updateMember(db)).where('status', '=', 'pending').executeTakeFirst();
  if (first.numUpdatedRows > 0n) return { kind: 'first' };
  const again = await member(updateMember(db))
    .where('status', '=', 'entering')
    .returning('attempts')
    .executeTakeFirst();
  return again ? { kind: 'again', attempts: again.attempts } : { kind: 'settled' };
}

const updateMember = (db: Db) =>
  db
    .updateTable('launch_audience')
    .set({ status: 'entering', attempts: sql<number>`attempts + 1`, updated_at: sql<Date>`now()` });

/** Settles a member once: entered, skipped or failed, with the reason. A settled member never changes. */
export async function settleMember(
  db: Db,
  launchId: string,
  customerId: string,
  status: 'entered' | 'skipped' | 'failed',
  reason: string | null,
): Promise<void> {
  await db
    .updateTable('launch_audience')
    .set({ status, reason, updated_at: sql<Date>`now()` })
    .where('launch_id', '=', launchId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['pending', 'entering'])
    .execute();
}

export async function launchTotals(db: Db, launchId: string): Promise<LaunchTotals> {
  const rows = await db
    .selectFrom('launch_audience')
    .select(['status', 'reason', sql<string>`count(*)`.as('count')])
    .where('launch_id', '=', launchId)
    .groupBy(['status', 'reason'])
    .execute();
  const totals: LaunchTotals = { pending: 0, entered: 0, skipped: 0, failed: 0, reasons: {} };
  for (const row of rows) {
    const count = Number(row.count);
    const status = row.status === 'entering' ? 'pending' : row.status;
    totals[status] += count;
    if (row.reason && status !== 'entered') totals.reasons[row.reason] = (totals.reasons[row.reason] ?? 0) + count;
  }
  return totals;
}
