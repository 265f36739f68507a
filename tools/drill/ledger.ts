import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';

/** What PostgreSQL recorded about a launch: its journeys (journey log) and their sends (delivery ledger). */

const CAMPAIGN = 'churn-retention';
/** Every journey a launch starts has the ID `launch-<launchId>-<position>`. */
const launchJourneys = (launchId: string) => `launch-${launchId}-%`;
/** A send's idempotency key is `<campaign>:<customerId>:<journeyId>:<step>:<channel>`. */
const launchDeliveryKeys = (launchId: string) => `${CAMPAIGN}:%:launch-${launchId}-%`;

/** How many of the launch's journeys each customer has in the journey log. */
export async function launchJourneysByCustomer(db: Db, launchId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('journeys')
    .select(['customer_id', sql<string>`count(*)`.as('count')])
    .where('campaign', '=', CAMPAIGN)
    .where('journey_id', 'like', launchJourneys(launchId))
    .groupBy('customer_id')
    .execute();
  return new Map(rows.map((row) => [row.customer_id, Number(row.count)]));
}

export interface LaunchSends {
  /**
   * Day-0 win-back emails settled, per customer: `sent`, or `unknown` (a worker killed between the
   * provider's acceptance and its confirmation: not sent again, the documented at-most-once window).
   */
  day0SettledByCustomer: Map<string, number>;
  /** Of those, the ones left `unknown`. */
  day0Unknown: number;
  /** Sends of the launch's journeys in any other step, or not (yet) sent: none expected before the cancel. */
  otherRows: number;
}

export async function launchSends(db: Db, launchId: string): Promise<LaunchSends> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['customer_id', 'step', 'channel', 'state', sql<string>`count(*)`.as('count')])
    .where('campaign', '=', CAMPAIGN)
    .where('idempotency_key', 'like', launchDeliveryKeys(launchId))
    .groupBy(['customer_id', 'step', 'channel', 'state'])
    .execute();
  const day0SettledByCustomer = new Map<string, number>();
  let day0Unknown = 0;
  let otherRows = 0;
  for (const row of rows) {
    const settled = row.state === 'sent' || row.state === 'unknown';
    if (row.step === 'day-0' && row.channel === 'email' && settled) {
      day0SettledByCustomer.set(row.customer_id, (day0SettledByCustomer.get(row.customer_id) ?? 0) + Number(row.count));
      if (row.state === 'unknown') day0Unknown += Number(row.count);
    } else otherRows += Number(row.count);
  }
  return { day0SettledByCustomer, day0Unknown, otherRows };
}

/** Day-0 emails of the launch's journeys settled, sent or unknown (to wait for before the cancel). */
export async function launchEmailsSent(db: Db, launchId: string): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select(sql<string>`count(*)`.as('count'))
    .where('campaign', '=', CAMPAIGN)
    .where('idempotency_key', 'like', launchDeliveryKeys(launchId))
    .where('state', 'in', ['sent', 'unknown'])
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface EndedJourneys {
  total: number;
  running: number;
  campaignCancelled: number;
  /** Ended with some other outcome. */
  otherOutcome: number;
}

/** The launch's journeys (or those with `journeyIdLike`), by whether and how they ended. */
export async function endedJourneys(db: Db, journeyIdLike: string, customerIdLike: string): Promise<EndedJourneys> {
  const row = await db
    .selectFrom('journeys')
    .select([
      sql<string>`count(*)`.as('total'),
      sql<string>`count(*) filter (where ended_at is null)`.as('running'),
      sql<string>`count(*) filter (where ended_at is not null and outcome = 'campaign_cancelled')`.as('cancelled'),
      sql<string>`count(*) filter (where ended_at is not null and outcome is distinct from 'campaign_cancelled')`.as(
        'other',
      ),
    ])
    .where('campaign', '=', CAMPAIGN)
    .where('journey_id', 'like', journeyIdLike)
    .where('customer_id', 'like', customerIdLike)
    .executeTakeFirstOrThrow();
  return {
    total: Number(row.total),
    running: Number(row.running),
    campaignCancelled: Number(row.cancelled),
    otherOutcome: Number(row.other),
  };
}

export const launchJourneyIdLike = launchJourneys;

/** Sends to the run's customers recorded as sent after `at` (none may be, after the cancel). */
export async function sentAfter(db: Db, customerIdLike: string, at: Date): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select(sql<string>`count(*)`.as('count'))
    .where('customer_id', 'like', customerIdLike)
    .where('state', '=', 'sent')
    .where('sent_at', '>', at)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
