import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deliveryKey, type CampaignType } from '../../contract/journeys';
import { campaignReportCounts, type CohortCounts } from '../../platform/db/campaign-report';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import type { DeliveryState } from '../../platform/db/schema';
import { requireServices, runId, stackEnv } from '../support/services';

const DAY = 86_400_000;
const WINDOW = 7 * DAY;
const T0 = Date.parse('2024-03-01T12:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

/**
 * The report's counts and its attribution rule on rows written directly, under a campaign name of
 * this run's own (the report reads one campaign, so nothing else in the database reaches it).
 */
describe('campaign report: attribution of orders and the ledger, in PostgreSQL', () => {
  const campaign = `attribution-${runId}` as CampaignType;
  const customer = (name: string) => `${name}-${runId}`;
  let db: Db;

  const journey = (
    name: string,
    journeyId: string,
    entryMs: number,
    options: { group?: 'treatment' | 'holdout'; variants?: Record<string, string> } = {},
  ) =>
    db
      .insertInto('journeys')
      .values({
        campaign,
        customer_id: customer(name),
        journey_id: journeyId,
        entry_event_at: at(entryMs),
        entered_at: at(entryMs + 60_000),
        ended_at: at(entryMs + DAY),
        outcome: 'completed',
        last_message_at: null,
        treatment_group: options.group ?? 'treatment',
        variants: JSON.stringify(options.variants ?? {}),
      })
      .execute();
  let orders = 0;
  const order = (name: string, occurredMs: number, total: number | null, currency: string | null) =>
    db
      .insertInto('orders')
      .values({
        order_id: `order-${runId}-${(orders += 1)}`,
        customer_id: customer(name),
        occurred_at: at(occurredMs),
        total,
        currency,
        event_id: `event-${runId}-${orders}`,
      })
      .execute();
  const ledger = (
    name: string,
    journeyId: string,
    step: string,
    state: DeliveryState,
    feedback: { reason?: string; delivered?: boolean; opened?: boolean; clicked?: boolean } = {},
  ) =>
    db
      .insertInto('deliveries')
      .values({
        idempotency_key: deliveryKey(campaign, customer(name), journeyId, step, 'email'),
        campaign,
        customer_id: customer(name),
        step,
        channel: 'email',
        state,
        reason: feedback.reason ?? null,
        message_id: null,
        provider_message_id: null,
        sent_at: null,
        contact_at: null,
        template_id: null,
        template_version: null,
        delivered_at: feedback.delivered ? at(DAY) : null,
        first_opened_at: feedback.opened ? at(DAY) : null,
        first_clicked_at: feedback.clicked ? at(DAY) : null,
      })
      .execute();

  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 2);
    await migrateToLatest(db);

    // Ann: two overlapping journeys; an order 3 days after the first entry qualifies for both.
    await journey('ann', 'ann-1', 0);
    await journey('ann', 'ann-2', 2 * DAY, { variants: { 'reminder-1': 'B' } });
    await order('ann', 1 * DAY, 20, 'EUR'); // only the first journey's
    await order('ann', 3 * DAY, 30, 'EUR'); // the later journey's
    // Bob: orders at exactly the entry (not counted), at entry + window (counted), just after it (not).
    await journey('bob', 'bob-1', 0);
    await order('bob', 0, 99, 'EUR');
    await order('bob', WINDOW, 10, 'EUR');
    await order('bob', WINDOW + 1, 99, 'EUR');
    // Dev: a journey ID that needs percent-encoding in its delivery keys, and another journey's ledger rows.
    await journey('dev', 'evt:1/ü €%', 0);
    await order('dev', 2 * DAY, 5.5, 'USD');
    await ledger('dev', 'evt:1/ü €%', 'reminder-1', 'sent', { delivered: true, opened: true });
    await ledger('dev', 'evt:1/ü €%', 'final', 'sent', { delivered: true, clicked: true, opened: true });
    await ledger('dev', 'evt', 'reminder-1', 'sent', { delivered: true });
    // Hana: held out, sent nothing; her order has no total.
    await journey('hana', 'hana-1', 0, { group: 'holdout' });
    await ledger('hana', 'hana-1', 'reminder-1', 'skipped', { reason: 'held_out' });
    await ledger('hana', 'hana-1', 'final', 'skipped', { reason: 'held_out' });
    await order('hana', DAY, null, null);
  });
  after(async () => {
    await db?.destroy();
  });

  const report = (options: { from?: number; to?: number; step?: string } = {}) =>
    campaignReportCounts(db, {
      campaign,
      from: at(options.from ?? -DAY),
      to: at(options.to ?? 10 * DAY),
      conversionWindowMs: WINDOW,
      ...(options.step ? { step: options.step } : {}),
    });
  const pick = (row: CohortCounts | undefined) =>
    row && {
      entered: row.entered,
      sent: row.sent,
      delivered: row.delivered,
      opened: row.opened,
      clicked: row.clicked,
      heldOut: row.heldOut,
      converted: row.converted,
      revenue: row.revenue,
      ordersWithoutRevenue: row.ordersWithoutRevenue,
    };

  it('counts each order for the latest-entered qualifying journey, inside (entry, entry + window]', async () => {
    const rows = await report();
    assert.deepEqual(
      rows.map((row) => [row.group, row.variant]),
      [
        ['treatment', null],
        ['holdout', null],
      ],
    );
    assert.deepEqual(pick(rows[0]), {
      entered: 4,
      sent: 2,
      delivered: 2,
      opened: 2,
      clicked: 1,
      heldOut: 0,
      converted: 4,
      revenue: { EUR: '60.00', USD: '5.50' },
      ordersWithoutRevenue: 0,
    });
    assert.deepEqual(pick(rows[1]), {
      entered: 1,
      sent: 0,
      delivered: 0,
      opened: 0,
      clicked: 0,
      heldOut: 2,
      converted: 1,
      revenue: {},
      ordersWithoutRevenue: 1,
    });
    assert.deepEqual(
      Object.fromEntries(Object.entries(rows[0]!.revenueByJourney).map(([currency, list]) => [currency, list.sort()])),
      { EUR: [10, 20, 30], USD: [5.5] },
    );
  });

  it("gives the order to the later journey even when only the earlier one is in the report's range", async () => {
    const [earlierOnly] = await report({ to: DAY });
    assert.deepEqual([earlierOnly!.entered, earlierOnly!.revenue], [3, { EUR: '30.00', USD: '5.50' }]);
    const [laterOnly] = await report({ from: DAY });
    assert.deepEqual([laterOnly!.entered, laterOnly!.converted, laterOnly!.revenue], [1, 1, { EUR: '30.00' }]);
  });

  it("breaks the treated journeys down by a step's variant (default: none dealt), that step only", async () => {
    const rows = await report({ step: 'reminder-1' });
    assert.deepEqual(
      rows.map((row) => [row.group, row.variant, row.entered, row.sent, row.clicked, row.heldOut, row.converted]),
      [
        ['treatment', 'B', 1, 0, 0, 0, 1],
        ['treatment', 'default', 3, 1, 0, 0, 3],
        ['holdout', null, 1, 0, 0, 1, 1],
      ],
    );
  });
});
