import type { ReportView } from '../../admin/report-schemas';
import type { PlannedOrder, OrderOdds, Shopper } from './storefront';

/** The campaign report as the admin API answers it (GET /campaigns/{campaign}/report; docs/EXPERIMENTS.md). */
export type CampaignReport = ReportView;

export interface SeedOutcome {
  seed: number;
  treated: { entered: number; converted: number };
  holdout: { entered: number; converted: number };
  trueLift: number;
  estimate: number | null;
  interval: [number, number] | null;
  covers: boolean;
  note: string | null;
  replay: { emailsBefore: number; emailsAfter: number; dealtDifferently: number } | null;
  failures: string[];
}

export interface SeedFacts {
  seed: number;
  odds: OrderOdds;
  shoppers: readonly Shopper[];
  /** Each shopper's group and variants, from the journey log: `holdout {}`, `treatment {"browse-email":"after-2s"}`. */
  groups: ReadonlyMap<string, string>;
  /** The customer ID of every email in the seed's mailboxes. */
  mailbox: readonly string[];
  orders: readonly PlannedOrder[];
  report: CampaignReport;
  byVariant: CampaignReport;
  replayed: { emailsBefore: number; emailsAfter: number; dealtDifferently: number; journeysAfter: number } | null;
}

/** Compares what the engine did and reported with the storefront's own truth; every mismatch is a failure. */
export function checkSeed(facts: SeedFacts): SeedOutcome {
  const failures: string[] = [];
  const expect = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      failures.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  const groupOf = (customerId: string) => facts.groups.get(customerId)?.split(' ')[0];
  const inGroup = (group: string) => facts.shoppers.filter((shopper) => groupOf(shopper.customerId) === group);
  const treated = inGroup('treatment');
  const heldOut = inGroup('holdout');
  expect('shoppers with a journey', facts.groups.size, facts.shoppers.length);

  const emailsTo = new Map<string, number>();
  for (const customerId of facts.mailbox) emailsTo.set(customerId, (emailsTo.get(customerId) ?? 0) + 1);
  expect('emails to held-out shoppers', sum(heldOut.map((shopper) => emailsTo.get(shopper.customerId) ?? 0)), 0);
  expect(
    'treated shoppers without exactly one email',
    treated.filter((shopper) => emailsTo.get(shopper.customerId) !== 1).length,
    0,
  );

  const truth = (shoppers: readonly Shopper[]) => {
    const ids = new Set(shoppers.map((shopper) => shopper.customerId));
    const orders = facts.orders.filter((order) => ids.has(order.customerId));
    const revenue: Record<string, string> = {};
    for (const currency of [...new Set(orders.map((order) => order.currency))].sort())
      revenue[currency] = (
        sum(orders.filter((o) => o.currency === currency).map((o) => Math.round(o.total * 100))) / 100
      ).toFixed(2);
    return { entered: shoppers.length, converted: orders.length, revenue };
  };
  const rowOf = (report: CampaignReport, group: string) => report.groups.find((row) => row.group === group);
  for (const [group, shoppers] of [
    ['treatment', treated],
    ['holdout', heldOut],
  ] as const) {
    const row = rowOf(facts.report, group);
    const expected = truth(shoppers);
    expect(
      `the report's ${group}`,
      row && { entered: row.entered, converted: row.converted, revenue: sortedKeys(row.revenue) },
      expected,
    );
  }
  expect("the report's messages sent to the treatment", rowOf(facts.report, 'treatment')?.sent, treated.length);
  expect("the report's held-out steps", rowOf(facts.report, 'holdout')?.heldOut, heldOut.length);
  expect("the report's messages sent to the holdout", rowOf(facts.report, 'holdout')?.sent, 0);
  const variants = facts.byVariant.variants ?? [];
  expect('journeys across the variants', sum(variants.map((row) => row.entered)), treated.length);
  expect('conversions across the variants', sum(variants.map((row) => row.converted)), truth(treated).converted);

  if (facts.replayed) {
    expect('emails after replaying the topic', facts.replayed.emailsAfter, facts.replayed.emailsBefore);
    expect('shoppers dealt differently after replaying the topic', facts.replayed.dealtDifferently, 0);
    expect('journeys after replaying the topic', facts.replayed.journeysAfter, facts.shoppers.length);
  }

  const trueLift = facts.odds.p1 - facts.odds.p0;
  const lift = facts.report.lift?.conversionRate ?? null;
  const interval = lift?.ci95 ?? null;
  const count = (group: string) => rowOf(facts.report, group) ?? { entered: 0, converted: 0 };
  return {
    seed: facts.seed,
    treated: { entered: count('treatment').entered, converted: count('treatment').converted },
    holdout: { entered: count('holdout').entered, converted: count('holdout').converted },
    trueLift,
    estimate: lift?.difference ?? null,
    interval,
    covers: interval !== null && interval[0] <= trueLift && trueLift <= interval[1],
    note: facts.report.note,
    replay: facts.replayed,
    failures,
  };
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const sortedKeys = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
