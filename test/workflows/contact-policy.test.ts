import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setCampaignPaused } from '../../platform/db/campaign-settings';
import { CAPPED_REASON } from '../../platform/db/delivery-ledger';
import { campaignResumedSignal, journeyStateQuery } from '../../contract/journeys';
import { JourneyTestEnv } from '../support/journey-env';
import { messagesTo } from '../support/mailpit';
import { eventually } from '../support/services';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An IANA fixed-offset zone in which `atMs` reads `localHour` o'clock (Etc/GMT-9 is UTC+9). */
function zoneWhereItIs(localHour: number, atMs: number): { zone: string; offsetHours: number } {
  let offset = (((localHour - new Date(atMs).getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return {
    zone: offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`,
    offsetHours: offset,
  };
}

describe('contact policy across journeys (time-skipping)', () => {
  const t = new JourneyTestEnv('policy', {
    'browse-abandonment': { emailDelay: 0, pauseRecheck: '1 day' },
  });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it('lets only one of two campaigns racing for the same customer and channel send (frequency cap)', async () => {
    const { customerId, email } = t.customer('race');
    await t.profile(customerId, { email, emailOptIn: true });
    await Promise.all([
      t.journeys.startOrSignal(
        'browse-abandonment',
        await t.event('product.viewed', customerId, { productId: 'lamp', name: 'Desk lamp' }),
      ),
      t.journeys.startOrSignal('churn-retention', await t.event('churn.risk_scored', customerId, { score: 0.95 })),
    ]);
    assert.equal((await t.result('browse-abandonment', customerId, HOUR)).outcome, 'completed');
    const firstDay = (await t.ledger(customerId)).filter((row) => ['browse-email', 'day-0'].includes(row.step));
    assert.deepEqual(firstDay.map((row) => row.state).sort(), ['sent', 'skipped']);
    assert.equal(firstDay.find((row) => row.state === 'skipped')!.reason, CAPPED_REASON);
    assert.equal((await messagesTo(email)).length, 1);
    await t.journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it("moves an SMS that falls in quiet hours to 09:00 in the customer's own time zone, in two time zones", async () => {
    const start = await t.now();
    const smsDue = start.getTime() + 3 * DAY;
    const late = zoneWhereItIs(23, smsDue);
    const early = zoneWhereItIs(3, smsDue);
    const customers = [];
    for (const where of [late, early]) {
      const customer = t.customer('quiet');
      await t.profile(customer.customerId, {
        email: customer.email,
        phone: customer.phone,
        timezone: where.zone,
        emailOptIn: true,
        smsOptIn: true,
      });
      await t.journeys.startOrSignal(
        'churn-retention',
        await t.event('churn.risk_scored', customer.customerId, { score: 0.9 }, start),
      );
      customers.push({ ...customer, ...where });
    }
    await t.env.sleep(3 * DAY + 12 * HOUR);

    for (const customer of customers) {
      const sms = (await t.ledger(customer.customerId)).find((row) => row.step === 'day-3');
      assert.equal(sms?.state, 'sent', `${customer.zone}: ${JSON.stringify(sms)}`);
      const local = new Date(sms.contact_at!.getTime() + customer.offsetHours * HOUR);
      assert.deepEqual(
        [local.getUTCHours(), local.getUTCMinutes()],
        [9, 0],
        `${customer.zone}: sent at ${local.toISOString()} local`,
      );
      assert.ok(sms.contact_at!.getTime() > smsDue, 'held back, not sent early');
      assert.equal(t.twilio.to(customer.phone).length, 1);
      const state = await t.handle('churn-retention', customer.customerId).query(journeyStateQuery);
      assert.ok(state.timeline.some((entry) => entry.text.includes(`waits until 09:00 ${customer.zone}`)));
      await t.journeys.cancel('churn-retention', customer.customerId, 'test cleanup');
    }
  });

  it('holds a send while its campaign is paused and releases it on resume', async () => {
    const { customerId, email } = t.customer('paused');
    await t.profile(customerId, { email, emailOptIn: true });
    // An operator's start with this journey's own delay (the environment's is 0), so it can be paused while it waits.
    await t.journeys.start(
      'browse-abandonment',
      await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' }),
      { overrides: { emailDelay: '1h' }, startedBy: 'the test' },
    );
    // Paused once the journey has entered: a journey whose entry comes while paused does not start (below).
    await eventually(
      'the journey to enter',
      () => t.handle('browse-abandonment', customerId).query(journeyStateQuery),
      (state) => state.stage === 'waiting_for_browse_email',
    );
    await setCampaignPaused(t.db, 'browse-abandonment', true);
    try {
      await t.env.sleep(6 * HOUR);
      const held = await t.handle('browse-abandonment', customerId).query(journeyStateQuery);
      assert.equal(held.stage, 'paused');
      assert.equal((await messagesTo(email)).length, 0);

      await setCampaignPaused(t.db, 'browse-abandonment', false);
      const resumedAt = await t.now();
      await t.handle('browse-abandonment', customerId).signal(campaignResumedSignal);
      const result = await t.result('browse-abandonment', customerId);
      assert.deepEqual([result.outcome, result.messagesSent], ['completed', 1]);
      const [row] = await t.ledger(customerId);
      assert.ok(row!.contact_at!.getTime() - resumedAt.getTime() < 60_000, 'sent on resume, not on the next recheck');
    } finally {
      await setCampaignPaused(t.db, 'browse-abandonment', false);
    }
  });

  it('starts no new journey while its campaign is paused', async () => {
    const { customerId, email } = t.customer('paused-entry');
    await t.profile(customerId, { email, emailOptIn: true });
    await setCampaignPaused(t.db, 'browse-abandonment', true);
    try {
      await t.journeys.startOrSignal(
        'browse-abandonment',
        await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' }),
      );
      const result = await t.result('browse-abandonment', customerId);
      assert.deepEqual([result.outcome, result.messagesSent], ['campaign_paused', 0]);
      const logged = await t.db
        .selectFrom('journeys')
        .select('journey_id')
        .where('customer_id', '=', customerId)
        .execute();
      assert.deepEqual(
        logged,
        [],
        'a journey that never started leaves no row in the journey log, so it blocks no later entry',
      );
    } finally {
      await setCampaignPaused(t.db, 'browse-abandonment', false);
    }
    await t.journeys.startOrSignal(
      'browse-abandonment',
      await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' }),
    );
    await t.env.sleep(3 * HOUR);
    assert.deepEqual(
      [(await t.result('browse-abandonment', customerId)).outcome, (await messagesTo(email)).length],
      ['completed', 1],
      'after the resume, the next entry starts a journey',
    );
  });
});
