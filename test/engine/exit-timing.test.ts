import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { journeyDeliveryKeyPrefix } from '../../contract/journeys';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

/**
 * Exits at the edges of a journey: with its entry, during admission, at a step's due time, and just before an
 * entry.
 */
describe('exits at the edges of a journey (stubbed activities, no sticky cache: the worker restarts)', () => {
  const t = new StubJourneyEnv('exit-timing', { contact: { quietHours: { sms: null } } }, { stickyCache: false });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it('admits a journey whose order arrives with its entry, then ends it as converted with nothing sent', async () => {
    const { customerId } = t.customer('with-entry');
    await t.stopWorker();
    const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
    const order = await t.event('order.placed', customerId, { orderId: 'o1' });
    await t.journeys.startOrSignal('cart-abandonment', entry);
    assert.equal(await t.journeys.signalIfRunning('cart-abandonment', order), true);
    await t.startWorker();

    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent, result.attributedTo], ['converted', 0, null]);
    assert.deepEqual(t.world.sentSteps(customerId), []);
    assert.deepEqual(t.world.callsOf(customerId, 'planSend'), [], 'no step was even planned');
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => [row.journeyId, row.outcome, row.endedAtMs]),
      [[entry.eventId, 'converted', Date.parse(order.occurredAt)]],
    );
  });

  it('ends a journey whose order arrives during its admission as converted, with nothing sent', async () => {
    const { customerId } = t.customer('during-admission');
    const gate = t.world.holdAdmission(customerId);
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    await gate.reached;
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o1' }));
    gate.release();

    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['converted', 0]);
    assert.deepEqual(t.world.sentSteps(customerId), []);
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => row.outcome),
      ['converted'],
    );
  });

  it(
    'ends a replayed entry as duplicate_entry when its replayed order arrives ' +
      'during admission, keeping the first end in the journey log',
    async () => {
      const { customerId } = t.customer('replay-admission');
      const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
      await t.journeys.startOrSignal('cart-abandonment', entry);
      await t.env.sleep(2 * HOUR);
      const order = await t.event('order.placed', customerId, { orderId: 'o1' });
      await t.journeys.signalIfRunning('cart-abandonment', order);
      assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'converted');
      const logBefore = structuredClone(t.world.journeysOf(customerId));

      const gate = t.world.holdAdmission(customerId);
      await t.journeys.startOrSignal('cart-abandonment', entry);
      await gate.reached;
      assert.equal(
        await t.journeys.signalIfRunning('cart-abandonment', order),
        true,
        'the replayed order reaches the journey while it is being admitted',
      );
      gate.release();
      const replayed = await t.result('cart-abandonment', customerId);
      assert.deepEqual([replayed.outcome, replayed.messagesSent], ['duplicate_entry', 0]);
      assert.deepEqual(t.world.journeysOf(customerId), logBefore);
      assert.deepEqual([logBefore[0]?.outcome, logBefore[0]?.messagesSent], ['converted', 1]);
      assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email']);
    },
  );

  it(
    "handles an order dated and delivered exactly at reminder 1's due time: one " +
      'outcome, at most that reminder, credited only if it went first',
    async () => {
      const { customerId } = t.customer('tight');
      const start = await t.now();
      await t.journeys.startOrSignal(
        'cart-abandonment',
        await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }, start),
      );
      const due = start + HOUR;
      await t.skipTo(due);
      await t.journeys.signalIfRunning(
        'cart-abandonment',
        await t.event('order.placed', customerId, { orderId: 'o1' }, due),
      );

      const result = await t.result('cart-abandonment', customerId);
      await t.env.sleep(98 * HOUR);
      // Whichever came first, the timer or the order, only this is promised:
      assert.equal(result.outcome, 'converted');
      const sent = t.world.sentSteps(customerId);
      assert.ok(sent.length === 0 || (sent.length === 1 && sent[0] === 'reminder-1:email'), `sent: ${sent.join(', ')}`);
      assert.equal(result.messagesSent, sent.length, 'what the journey counts is what the provider got');
      if (result.attributedTo !== null)
        assert.deepEqual([result.attributedTo, sent], ['reminder-1 (email)', ['reminder-1:email']]);
      const [row] = t.world.journeysOf(customerId);
      assert.deepEqual(
        [row?.outcome, row?.endedAtMs, row?.messagesSent],
        ['converted', due, sent.length],
        'the journey ended when the customer ordered',
      );
      assert.equal(row?.lastMessageAtMs === null, sent.length === 0);
    },
  );

  it('starts the next journey for a cart that arrives after the order, before the journey closed', async () => {
    const { customerId } = t.customer('late-cart');
    const first = await t.event('cart.updated', customerId, { cartId: 'k1', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', first);
    await t.state('cart-abandonment', customerId);
    // Both events reach the journey in one workflow task: the order ends it, the new cart arrives as it closes.
    await t.stopWorker();
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o1' }));
    const next = await t.event('cart.updated', customerId, { cartId: 'k2', items: [mug] });
    await t.journeys.signalIfRunning('cart-abandonment', next);
    await t.startWorker();

    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.deepEqual([result.outcome, result.journeyId, result.messagesSent], ['completed', next.eventId, 3]);
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => [row.journeyId, row.outcome]),
      [
        [first.eventId, 'converted'],
        [next.eventId, 'completed'],
      ],
    );
    const prefix = journeyDeliveryKeyPrefix('cart-abandonment', customerId, next.eventId);
    assert.deepEqual(
      t.world.messagesTo(customerId).map((message) => message.idempotencyKey.startsWith(prefix)),
      [true, true, true],
      'every send belongs to the new journey',
    );
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms', 'final:email']);
  });
});
