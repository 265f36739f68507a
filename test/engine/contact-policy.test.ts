import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { campaignResumedSignal } from '../../contract/journeys';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

/** An IANA fixed-offset zone in which `atMs` reads `localHour` o'clock (Etc/GMT-9 is UTC+9). */
function zoneWhereItIs(localHour: number, atMs: number): { zone: string; offsetHours: number } {
  let offset = (((localHour - new Date(atMs).getUTCHours()) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return {
    zone: offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`,
    offsetHours: offset,
  };
}

describe('the contact policy at a send (stubbed activities)', () => {
  // Default quiet hours (no SMS 21:00-09:00); a paused journey would look again only after a day.
  const t = new StubJourneyEnv('policy', { 'browse-abandonment': { emailDelay: '1h', pauseRecheck: '1 day' } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it('holds a send while the campaign is paused and releases it on the campaignResumed signal', async () => {
    const { customerId } = t.customer('paused');
    await t.journeys.startOrSignal(
      'browse-abandonment',
      await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' }),
    );
    await t.until(
      'the journey to enter',
      () => t.state('browse-abandonment', customerId),
      (state) => state.stage === 'waiting_for_browse_email',
    );
    t.world.pause('browse-abandonment');
    await t.env.sleep(6 * HOUR);
    assert.equal((await t.state('browse-abandonment', customerId)).stage, 'paused');
    assert.deepEqual(t.world.sentSteps(customerId), []);
    assert.deepEqual(
      t.world.callsOf(customerId, 'planSend').map((call) => call.detail),
      ['email:paused'],
      'held on one plan: no spinning',
    );

    t.world.resume('browse-abandonment');
    const resumedAt = await t.now();
    await t.handle('browse-abandonment', customerId).signal(campaignResumedSignal);
    const result = await t.result('browse-abandonment', customerId);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 1]);
    const [message] = t.world.messagesTo(customerId);
    assert.ok(
      message!.atMs >= resumedAt && message!.atMs - resumedAt < 60_000,
      `sent ${message!.atMs - resumedAt} ms after the resume (the recheck would be a day)`,
    );
  });

  it(
    'starts no journey while the campaign is paused, and ' + 'remembers the refusal when its entry is replayed',
    async () => {
      const { customerId } = t.customer('paused-entry');
      const entry = await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' });
      t.world.pause('browse-abandonment');
      try {
        await t.journeys.startOrSignal('browse-abandonment', entry);
        assert.deepEqual((await t.result('browse-abandonment', customerId)).outcome, 'campaign_paused');
      } finally {
        t.world.resume('browse-abandonment');
      }
      assert.deepEqual(
        t.world.journeysOf(customerId),
        [],
        'a journey that never started leaves no row in the journey log',
      );
      await t.journeys.startOrSignal('browse-abandonment', entry);
      assert.equal((await t.result('browse-abandonment', customerId)).outcome, 'duplicate_entry');
      await t.journeys.startOrSignal(
        'browse-abandonment',
        await t.event('product.viewed', customerId, { productId: 'rug', name: 'Wool rug' }),
      );
      assert.deepEqual(await t.outcomeAfter('browse-abandonment', customerId, 2 * HOUR), 'completed');
      assert.deepEqual(t.world.sentSteps(customerId), ['browse-email:email']);
    },
  );

  it("holds an SMS that falls in quiet hours until 09:00 in the customer's time zone, then sends it once", async () => {
    const start = await t.now();
    const smsDue = start + 3 * DAY;
    const { zone, offsetHours } = zoneWhereItIs(23, smsDue);
    const { customerId } = t.customer('quiet', { timezone: zone });
    await t.journeys.startOrSignal(
      'churn-retention',
      await t.event('churn.risk_scored', customerId, { score: 0.9 }, start),
    );
    await t.env.sleep(3 * DAY + 12 * HOUR);

    const sms = t.world.messagesTo(customerId).filter((message) => message.channel === 'sms');
    assert.equal(sms.length, 1);
    const local = new Date(sms[0]!.atMs + offsetHours * HOUR);
    assert.deepEqual([local.getUTCHours(), local.getUTCMinutes()], [9, 0], `sent at ${local.toISOString()} local`);
    assert.ok(sms[0]!.atMs > smsDue, 'held back, not sent early');
    assert.deepEqual(
      t.world
        .callsOf(customerId, 'planSend')
        .filter((call) => call.detail?.startsWith('sms'))
        .map((call) => call.detail),
      ['sms:quiet_hours', 'sms:go'],
    );
    const state = await t.state('churn-retention', customerId);
    assert.ok(state.timeline.some((entry) => entry.text.includes(`waits until 09:00 ${zone}`)));
    await t.journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it('sends cart reminder 2 by email when the customer cannot get SMS (no consent)', async () => {
    const { customerId } = t.customer('no-sms', { smsOptIn: false });
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 3]);
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:email', 'final:email']);
    const state = await t.state('cart-abandonment', customerId);
    assert.ok(state.timeline.some((entry) => entry.text === 'reminder-2 by sms skipped: no sms consent'));
  });

  it('sends cart reminder 2 by email when the SMS provider refuses the number for good', async () => {
    const { customerId } = t.customer('refused');
    t.world.nextSend(customerId, 'sms', { kind: 'refuse', reason: 'Twilio 21211: invalid To number' });
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    const result = await t.result('cart-abandonment', customerId, 120 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 3]);
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:email', 'final:email']);
    const refused = t.world.ledgerOf(customerId).find((row) => row.step === 'reminder-2' && row.channel === 'sms');
    assert.deepEqual([refused?.state, refused?.reason], ['failed', 'Twilio 21211: invalid To number']);
    assert.equal(t.world.callsOf(customerId, 'sendSms').length, 1, 'a permanent refusal is not retried');
  });

  for (const [name, profile] of [
    ['no profile', null],
    ['no consent on either channel', { emailOptIn: false, smsOptIn: false }],
  ] as const) {
    it(`ends not_contactable, with nothing sent, for a customer with ${name}`, async () => {
      const { customerId } = t.customer('nobody', profile);
      await t.journeys.startOrSignal(
        'cart-abandonment',
        await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
      );
      const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
      assert.deepEqual([result.outcome, result.messagesSent], ['not_contactable', 0]);
      assert.deepEqual(t.world.sentSteps(customerId), []);
      assert.deepEqual(
        t.world.callsOf(customerId, 'planSend').map((call) => call.detail),
        ['email:unreachable', 'sms:unreachable', 'email:unreachable', 'email:unreachable'],
      );
      assert.deepEqual(
        t.world.journeysOf(customerId).map((row) => row.outcome),
        ['not_contactable'],
      );
    });
  }
});
