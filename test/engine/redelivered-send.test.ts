import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

describe('a send redelivered after a worker restart (stubbed activities)', () => {
  // No sticky cache: after the restart, workflow tasks must not wait on the old worker's sticky queue.
  const t = new StubJourneyEnv('redeliver', { contact: { quietHours: { sms: null } } }, { stickyCache: false });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it(
    'is not sent twice: the retry finds the key settled in the ' + 'ledger and reports it as already delivered',
    async () => {
      const { customerId } = t.customer('crash');
      // The first reminder reaches the provider and the ledger, then its worker goes away before reporting.
      t.world.nextSend(customerId, 'email', { kind: 'crash-after-send' });
      const start = await t.now();
      await t.journeys.startOrSignal(
        'cart-abandonment',
        await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }, start),
      );
      await t.skipTo(start + HOUR - 100);
      const [handed] = await t.until(
        'reminder 1 at the provider',
        () => t.world.messagesTo(customerId),
        (messages) => messages.length === 1,
      );
      await t.stopWorker();
      await t.startWorker();

      const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
      assert.deepEqual([result.outcome, result.messagesSent], ['completed', 3]);
      assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms', 'final:email']);
      assert.deepEqual(t.world.doubleSends(), []);
      // The first attempt runs inside a workflow task: after the restart it runs again, as attempt 1.
      const calls = t.world.callsOf(customerId, 'sendEmail').filter((call) => call.detail === 'reminder-1');
      assert.equal(calls.length, 2, 'the send was asked for again once');
      const row = t.world.ledger.get(handed!.idempotencyKey);
      assert.deepEqual([row?.state, row?.attempts], ['sent', 1], 'one reservation, one provider call');
      const state = await t.state('cart-abandonment', customerId);
      assert.ok(
        state.timeline.some(
          (entry) => entry.text === 'cart reminder 1 by email: sent (already delivered by an earlier attempt)',
        ),
      );
    },
  );
});
