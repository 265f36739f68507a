import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CANCELLED_REASON, StubJourneyEnv, type SendBehaviour } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

describe('an exit while a send is under way (stubbed activities)', () => {
  const t = new StubJourneyEnv('exit-send', { contact: { quietHours: { sms: null } } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  /**
   * A cart journey whose reminder 1 went out and whose reminder 2 (SMS) is under way, behaving as `behaviour`;
   * then an order.
   */
  async function orderDuringReminder2(prefix: string, behaviour: SendBehaviour) {
    const { customerId } = t.customer(prefix);
    t.world.nextSend(customerId, 'sms', behaviour);
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    await t.env.sleep(HOUR + 60_000);
    const [reminder1] = await t.until(
      'reminder 1',
      () => t.world.messagesTo(customerId),
      (messages) => messages.length === 1,
    );
    // Reminder 2 is due 24 h after reminder 1 finished: skip to just before, and let real time bring it.
    await t.skipTo(reminder1!.atMs + 24 * HOUR - 100);
    await t.until(
      'reminder 2 to be under way',
      () => t.world.callsOf(customerId, 'sendSms').length,
      (calls) => calls === 1,
    );
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o1' }));
    return { customerId, result: await t.result('cart-abandonment', customerId) };
  }

  it(
    'cancels a send that has not reached the provider: it is never made, and ' +
      'the journey ends converted, credited to the message before',
    async () => {
      const { customerId, result } = await orderDuringReminder2('hang', { kind: 'hang' });
      assert.deepEqual(
        [result.outcome, result.messagesSent, result.attributedTo],
        ['converted', 1, 'reminder-1 (email)'],
      );
      assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email']);
      const sms = t.world.ledgerOf(customerId).find((row) => row.step === 'reminder-2');
      assert.deepEqual([sms?.channel, sms?.state, sms?.reason], ['sms', 'skipped', CANCELLED_REASON]);
      assert.equal(t.world.callsOf(customerId, 'abandonSend').length, 1);
      assert.deepEqual(
        t.world.callsOf(customerId, 'sendEmail').map((call) => call.detail),
        ['reminder-1'],
        'no email fallback for a cancelled SMS',
      );
      assert.deepEqual(
        t.world.journeysOf(customerId).map((row) => [row.outcome, row.messagesSent]),
        [['converted', 1]],
      );
    },
  );

  it('lets a send already at the provider finish: counted, but never credited with the conversion', async () => {
    const { customerId, result } = await orderDuringReminder2('at-provider', { kind: 'hang-at-provider' });
    assert.deepEqual(
      [result.outcome, result.messagesSent, result.attributedTo],
      ['converted', 2, 'reminder-1 (email)'],
    );
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms']);
    assert.equal(t.world.ledgerOf(customerId).find((row) => row.step === 'reminder-2')?.state, 'sent');
    const state = await t.state('cart-abandonment', customerId);
    assert.ok(
      state.timeline.some(
        (entry) => entry.text === 'cart reminder 2 by SMS: sent, in flight when the journey ended (not credited)',
      ),
    );
    await t.env.sleep(98 * HOUR);
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms'], 'nothing after the exit');
  });
});
