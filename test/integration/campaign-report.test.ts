import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { ReportView } from '../../admin/report-schemas';
import { TestAdmin } from '../support/admin';
import { TestApp } from '../support/app';
import { contactableCustomer } from '../support/customers';
import { cartUpdated, customerUpdated, mug } from '../support/events';
import { throwawayDatabase } from '../support/databases';
import { eventually, runId } from '../support/services';

const DAY_MS = 86_400_000;
const REPORT = '/campaigns/cart-abandonment/report';

/**
 * The campaign report on the real stack, on a database of its own (a report reads the whole
 * campaign): a real cart journey, orders published through Kafka and recorded by the bridge, the
 * report through the admin API.
 */
describe('campaign report: conversions within the window, through the admin API', () => {
  let database: Awaited<ReturnType<typeof throwawayDatabase>>;
  let app: TestApp;
  let admin: TestAdmin;

  before(async () => {
    database = await throwawayDatabase('campaign_report');
    const env = {
      DATABASE_URL: database.url,
      CAMPAIGN_SETTINGS: JSON.stringify({
        'cart-abandonment': {
          firstReminderDelay: '200ms',
          secondReminderDelay: '200ms',
          finalReminderDelay: '200ms',
          holdout: 0,
        },
        contact: { frequencyCap: 0, quietHours: { sms: null } },
      }),
    };
    app = new TestApp('report', env);
    await app.start();
    admin = new TestAdmin({ ...env, TEMPORAL_TASK_QUEUE: app.taskQueue, EVENTS_TOPIC: app.eventsTopic });
    await admin.start();
  });
  after(async () => {
    await admin?.stop();
    await app?.stop();
    await database?.drop();
  });

  const report = async (query: string) => {
    const response = await admin.request<ReportView>('GET', `${REPORT}?${query}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  };
  const order = (customerId: string, eventId: string, orderId: string, occurredAt: Date, total: number) => ({
    eventId,
    type: 'order.placed',
    customerId,
    occurredAt: occurredAt.toISOString(),
    properties: { orderId, total, currency: 'EUR' },
  });

  it('counts an order in the window from the entry once, not one after it; a duplicate changes nothing', async () => {
    const { customerId } = await contactableCustomer(app.db, 'report');
    await app.produce([customerUpdated(customerId, { smsOptIn: false }), cartUpdated(customerId, [mug])]);
    const journeyLog = () =>
      app.db
        .selectFrom('journeys')
        .selectAll()
        .where('campaign', '=', 'cart-abandonment')
        .where('customer_id', '=', customerId)
        .executeTakeFirst();
    const ended = await eventually('the cart journey to end', journeyLog, (row) => row?.ended_at != null, 20_000);
    assert.equal(ended!.outcome, 'completed');
    const metrics = async () => {
      const response = await admin.request<string>('GET', '/metrics');
      assert.equal(response.status, 200);
      return response.body;
    };
    const cart = 'campaign="cart-abandonment",group="treatment"';
    const scraped = await metrics();
    for (const line of [
      `campaign_journeys_entered{${cart}} 1`,
      `campaign_journeys_converted{${cart}} 0`,
      `campaign_messages{${cart},step="reminder-2",channel="email",state="sent"} 1`,
    ])
      assert.ok(scraped.split('\n').includes(line), `${line} in\n${scraped}`);

    // We cannot wait days: the journey's log row is moved 10 days back in time instead, as if it had
    // entered and ended then. Its ledger rows keep their times; the report does not read them.
    await app.db
      .updateTable('journeys')
      .set({
        entry_event_at: sql<Date>`entry_event_at - interval '10 days'`,
        entered_at: sql<Date>`entered_at - interval '10 days'`,
        ended_at: sql<Date>`ended_at - interval '10 days'`,
      })
      .where('campaign', '=', 'cart-abandonment')
      .where('customer_id', '=', customerId)
      .execute();
    const moved = (await journeyLog())!;
    assert.equal(ended!.entry_event_at.getTime() - moved.entry_event_at.getTime(), 10 * DAY_MS);
    assert.ok(!(await metrics()).includes(`campaign_journeys_entered{${cart}}`), 'out of the window of the metrics');

    const within = order(
      customerId,
      `order-1-${runId}`,
      `o-1-${runId}`,
      new Date(moved.ended_at!.getTime() + 3 * DAY_MS),
      42.5,
    );
    const outside = order(
      customerId,
      `order-2-${runId}`,
      `o-2-${runId}`,
      new Date(moved.entry_event_at.getTime() + 8 * DAY_MS),
      99,
    );
    await app.produce([within, outside]);
    await app.waitUntilConsumed();

    const from = new Date(moved.entered_at.getTime() - 60_000).toISOString();
    const query = `from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const first = await report(query);
    const [treatment, holdout] = first.groups;
    assert.deepEqual(
      [treatment?.group, treatment?.entered, treatment?.sent, treatment?.converted, treatment?.revenue],
      ['treatment', 1, 3, 1, { EUR: '42.50' }],
    );
    assert.deepEqual([treatment?.conversionRate, treatment?.ordersWithoutRevenue], [1, 0]);
    assert.deepEqual([holdout?.group, holdout?.entered, holdout?.converted], ['holdout', 0, 0]);
    assert.equal(first.conversionWindowMs, 7 * DAY_MS);
    assert.equal(first.lift, null);
    assert.equal(first.note, 'no holdout: the campaign holds out no one (holdout 0), so lift cannot be measured');

    // The same event again, and another event for the same order with another total: the first write stands.
    await app.produce([
      within,
      { ...within, eventId: `order-1-again-${runId}`, properties: { ...within.properties, total: 1 } },
    ]);
    await app.waitUntilConsumed();
    assert.deepEqual(await report(query), first);
    const orders = await app.db
      .selectFrom('orders')
      .select(['order_id', 'total'])
      .where('customer_id', '=', customerId)
      .orderBy('order_id')
      .execute();
    assert.deepEqual(orders, [
      { order_id: `o-1-${runId}`, total: '42.50' },
      { order_id: `o-2-${runId}`, total: '99.00' },
    ]);

    const wider = await report(`${query}&conversionWindow=9%20days`);
    assert.deepEqual([wider.conversionWindowFrom, wider.groups[0]?.revenue], ['query', { EUR: '141.50' }]);
  });

  it('refuses bad fields with a 400 naming the field, an unknown campaign with 404, no token with 401', async () => {
    const cases: Array<[string, number, string]> = [
      [`${REPORT}?from=yesterday`, 400, 'from'],
      [`${REPORT}?to=2026-13-01T00:00:00Z`, 400, 'to'],
      [`${REPORT}?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z`, 400, 'from'],
      [`${REPORT}?from=2026-06-01T00:00:00Z&to=2026-06-01T00:00:00Z`, 400, 'from'],
      [`${REPORT}?step=day-0`, 400, 'step'],
      [`${REPORT}?variant=B`, 400, 'variant'],
      [`${REPORT}?conversionWindow=forever`, 400, 'conversionWindow'],
      [`${REPORT}?conversionWindow=1m`, 400, 'conversionWindow'],
      [`${REPORT}?window=7d`, 400, 'window'],
      ['/campaigns/no-such-campaign/report', 404, 'campaign'],
    ];
    for (const [path, status, field] of cases) {
      const response = await admin.request('GET', path);
      assert.deepEqual(
        [response.status, response.body.field],
        [status, field],
        `${path}: ${JSON.stringify(response.body)}`,
      );
      assert.equal(typeof response.body.message, 'string');
    }
    const step = await report('step=reminder-1&variant=B');
    assert.deepEqual(
      step.variants?.map((row) => [row.variant, row.entered]),
      [['B', 0]],
    );
    assert.equal((await admin.request('GET', REPORT, { token: null })).status, 401);
  });
});
