import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

describe('duplicate events (stubbed activities)', () => {
  const t = new StubJourneyEnv('dup', { contact: { quietHours: { sms: null } } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it(
    'ignores a redelivered entry and a redelivered update: one ' +
      'admission, one timeline entry each, every step sent once',
    async () => {
      const { customerId } = t.customer('dup');
      const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
      await t.journeys.startOrSignal('cart-abandonment', entry);
      await t.journeys.startOrSignal('cart-abandonment', entry);
      await t.env.sleep(30 * 60_000);
      const update = await t.event('cart.updated', customerId, {
        cartId: 'k',
        items: [mug, { ...mug, productId: 'tea', name: 'Tea' }],
      });
      await t.journeys.startOrSignal('cart-abandonment', update);
      await t.journeys.startOrSignal('cart-abandonment', update);
      await t.journeys.startOrSignal('cart-abandonment', entry);

      const state = await t.state('cart-abandonment', customerId);
      assert.equal(state.timeline.filter((line) => line.text.startsWith('cart updated')).length, 2);
      const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
      assert.deepEqual([result.outcome, result.messagesSent], ['completed', 3]);
      assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms', 'final:email']);
      assert.equal(t.world.callsOf(customerId, 'enterJourney').length, 1);
      assert.deepEqual(t.world.doubleSends(), []);
    },
  );

  it(
    'ends a replay of the entry after the journey ended as duplicate_entry, ' +
      'sending nothing and leaving the journey log as it was',
    async () => {
      const { customerId } = t.customer('replay');
      const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
      await t.journeys.startOrSignal('cart-abandonment', entry);
      await t.env.sleep(2 * HOUR);
      await t.journeys.signalIfRunning(
        'cart-abandonment',
        await t.event('order.placed', customerId, { orderId: 'o1' }),
      );
      assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'converted');
      const logBefore = structuredClone(t.world.journeysOf(customerId));

      await t.journeys.startOrSignal('cart-abandonment', entry);
      const replayed = await t.result('cart-abandonment', customerId, 2 * HOUR);
      assert.deepEqual([replayed.outcome, replayed.messagesSent], ['duplicate_entry', 0]);
      assert.deepEqual(t.world.journeysOf(customerId), logBefore);
      assert.equal(logBefore[0]?.outcome, 'converted');
      assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email']);
      assert.deepEqual(
        t.world.callsOf(customerId, 'enterJourney').map((call) => call.detail),
        [entry.eventId, entry.eventId],
      );
    },
  );
});
