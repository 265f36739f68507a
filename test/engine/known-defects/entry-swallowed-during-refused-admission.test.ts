import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StubJourneyEnv } from '../../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

/**
 * docs/JOURNEYS.md: an entry that arrives as a journey ends (after it decided to end, a refused
 * admission included) is handed to the next journey. An entry that arrives *during* the admission
 * of a replayed entry that is then refused (duplicate_entry; the same holds for stale_event) is
 * instead taken as a cart update of the refused journey and dropped with it: the customer's fresh
 * cart never gets a journey. Possible engine defect, not fixed here: `it.todo`, outside the suite's glob.
 */
describe('a fresh entry during the admission of a refused replay (stubbed activities)', () => {
  const t = new StubJourneyEnv('swallowed', { contact: { quietHours: { sms: null } } });
  before(async () => { await t.start(); });
  after(async () => { await t.stop(); });

  void it.todo('a fresh cart that arrives while a replayed entry is being refused starts its own journey', async () => {
    const { customerId } = t.customer('swallowed');
    const old = await t.event('cart.updated', customerId, { cartId: 'k1', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', old);
    await t.env.sleep(2 * HOUR);
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o1' }));
    assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'converted');
    await t.env.sleep(8 * 24 * HOUR);

    const gate = t.world.holdAdmission(customerId);
    await t.journeys.startOrSignal('cart-abandonment', old); // a replay of the topic
    await gate.reached;
    const fresh = await t.event('cart.updated', customerId, { cartId: 'k2', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', fresh); // the customer, now
    gate.release();
    assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'duplicate_entry');
    await t.env.sleep(98 * HOUR);
    assert.deepEqual(t.world.journeysOf(customerId).map((row) => row.journeyId), [old.eventId, fresh.eventId], 'the fresh cart got a journey');
  });
});
