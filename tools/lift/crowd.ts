import type { Db } from '../../platform/db/database';
import { searchMailpit } from '../bench/mailpit';
import {
  customerUpdated,
  decideOrders,
  orderPlaced,
  productViewed,
  type OrderOdds,
  type PlannedOrder,
  type Shopper,
} from './storefront';

/**
 * A crowd of browsing shoppers played through the real stack: each browses a product, the browse
 * journeys run to their end, and then each shopper orders or not, by what reached their mailbox.
 */

export interface CrowdStage {
  db: Db;
  /** Publishes events to the bridge's topic, each keyed by its customer. */
  publish: (events: Array<{ customerId: string }>) => Promise<void>;
  mailpitUrl: string;
  /** The wall-clock time after which every wait gives up. */
  deadline: number;
}

export interface PlayedCrowd {
  /** The customer ID of every email in the crowd's mailboxes (once per email). */
  mailbox: string[];
  orders: PlannedOrder[];
}

export async function playCrowd(
  stage: CrowdStage,
  crowd: { label: string; domain: string; shoppers: readonly Shopper[]; seed: number; odds: OrderOdds },
): Promise<PlayedCrowd> {
  const { shoppers } = crowd;
  await produce(stage, (now) =>
    shoppers.flatMap((shopper) => [customerUpdated(shopper, now), productViewed(shopper, now)]),
  );
  await waitFor(
    stage,
    `${shoppers.length} browse journeys to end`,
    () => endedJourneys(stage.db, crowd.label),
    shoppers.length,
  );
  const mailbox = (await searchMailpit(stage.mailpitUrl, `to:"${crowd.domain}"`)).map(
    (email) => email.to.split('@')[0]!,
  );
  const orders = decideOrders(crowd.seed, shoppers, new Set(mailbox), crowd.odds);
  await produce(stage, (now) => orders.map((order) => orderPlaced(order, now)));
  await waitFor(
    stage,
    `${orders.length} orders to be recorded`,
    () => recordedOrders(stage.db, crowd.label),
    orders.length,
  );
  return { mailbox, orders };
}

/** Publishes the events the builder makes, in batches of 500. */
export async function produce(stage: CrowdStage, build: (now: Date) => Array<{ customerId: string }>): Promise<void> {
  const events = build(new Date());
  for (let from = 0; from < events.length; from += 500) await stage.publish(events.slice(from, from + 500));
}

/** Polls until `read` gives `expected`, bounded by the stage's deadline and by the size of what it waits for. */
export async function waitFor(
  stage: CrowdStage,
  what: string,
  read: () => Promise<number>,
  expected: number,
): Promise<void> {
  const deadline = Math.min(stage.deadline, Date.now() + Math.max(120_000, expected * 150));
  let seen = await read();
  while (seen !== expected) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${seen}, expected ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    seen = await read();
  }
}

async function endedJourneys(db: Db, label: string): Promise<number> {
  const row = await db
    .selectFrom('journeys')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('campaign', '=', 'browse-abandonment')
    .where('customer_id', 'like', `${label}-%`)
    .where('ended_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

async function recordedOrders(db: Db, label: string): Promise<number> {
  const row = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('customer_id', 'like', `${label}-%`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Each shopper's group and variants, as the journey log recorded them at admission. */
export async function groupsOf(db: Db, label: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('journeys')
    .select(['customer_id', 'treatment_group', 'variants'])
    .where('campaign', '=', 'browse-abandonment')
    .where('customer_id', 'like', `${label}-%`)
    .execute();
  return new Map(rows.map((row) => [row.customer_id, `${row.treatment_group} ${JSON.stringify(row.variants)}`]));
}
