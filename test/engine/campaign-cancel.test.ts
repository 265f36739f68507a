import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { campaignCancelledSignal } from '../../contract/journeys';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

/** A cancelled campaign: running journeys end as `campaign_cancelled`, sending nothing more; entries are refused. */
describe('a cancelled campaign (stubbed activities)', () => {
  const t = new StubJourneyEnv('campaign-cancel', { 'cart-abandonment': { pauseRecheck: '1 day' } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  const cart = (customerId: string) =>
    t.event('cart.updated', customerId, { cartId: `cart-${customerId}`, items: [mug], currency: 'EUR' });
  const enter = async (customerId: string) => {
    await t.journeys.startOrSignal('cart-abandonment', await cart(customerId));
    return t.until(
      'the journey to wait for its first reminder',
      () => t.state('cart-abandonment', customerId),
      (state) => state.stage === 'waiting_for_reminder_1',
    );
  };

  it('ends a waiting journey on the campaignCancelled signal, with the reason, before any send', async () => {
    const { customerId } = t.customer('signalled');
    await enter(customerId);
    await t.handle('cart-abandonment', customerId).signal(campaignCancelledSignal, { reason: 'code leaked' });
    const result = await t.result('cart-abandonment', customerId);
    assert.deepEqual([result.outcome, result.messagesSent], ['campaign_cancelled', 0]);
    assert.match((await t.state('cart-abandonment', customerId)).timeline.at(-1)!.text, /code leaked/);
    await t.env.sleep(3 * HOUR);
    assert.deepEqual(t.world.sentSteps(customerId), []);
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => row.outcome),
      ['campaign_cancelled'],
    );
  });

  it('ends a journey whose signal never came when its step falls due: the plan refuses the send', async () => {
    const { customerId } = t.customer('missed-signal');
    const enteredAt = await t.now();
    await enter(customerId);
    // Cancelled 1 ms before reminder 1 is due, and the journey is never told.
    await t.skipTo(enteredAt + HOUR - 1);
    t.world.cancelCampaign('cart-abandonment', 'wrong price');
    try {
      const result = await t.result('cart-abandonment', customerId, 60_000);
      assert.deepEqual([result.outcome, result.messagesSent], ['campaign_cancelled', 0]);
      assert.deepEqual(t.world.sentSteps(customerId), []);
      assert.deepEqual(
        t.world.callsOf(customerId, 'planSend').map((call) => call.detail),
        ['email:cancelled'],
      );
    } finally {
      t.world.reopenCampaign('cart-abandonment');
    }
  });

  it('wakes a journey held by a pause and ends it', async () => {
    const { customerId } = t.customer('held');
    await enter(customerId);
    t.world.pause('cart-abandonment');
    try {
      await t.env.sleep(2 * HOUR);
      assert.equal((await t.state('cart-abandonment', customerId)).stage, 'paused');
      await t.handle('cart-abandonment', customerId).signal(campaignCancelledSignal, { reason: 'stop everything' });
      const result = await t.result('cart-abandonment', customerId);
      assert.deepEqual([result.outcome, result.messagesSent], ['campaign_cancelled', 0]);
    } finally {
      t.world.resume('cart-abandonment');
    }
    assert.deepEqual(t.world.sentSteps(customerId), []);
  });

  it('refuses a new entry while cancelled, and admits one once the campaign is opened again', async () => {
    const { customerId } = t.customer('refused');
    t.world.cancelCampaign('cart-abandonment', 'launch postponed');
    try {
      await t.journeys.startOrSignal('cart-abandonment', await cart(customerId));
      const refused = await t.result('cart-abandonment', customerId);
      assert.deepEqual([refused.outcome, refused.messagesSent], ['campaign_cancelled', 0]);
      assert.deepEqual(t.world.journeysOf(customerId), [], 'a refused entry leaves no row in the journey log');
    } finally {
      t.world.reopenCampaign('cart-abandonment');
    }
    await t.journeys.startOrSignal('cart-abandonment', await cart(customerId));
    assert.equal(
      await t.outcomeAfter('cart-abandonment', customerId, 2 * HOUR),
      'still running (waiting_for_reminder_2)',
    );
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email']);
  });
});
