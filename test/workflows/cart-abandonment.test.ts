import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cancelJourneySignal, deliveryKey, journeyStateQuery } from '../../contract/journeys';
import { JourneyTestEnv } from '../support/journey-env';
import { messagesTo } from '../support/mailpit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 2, price: 12.5 };
const tea = { productId: 'tea', name: 'Earl Grey', quantity: 1, price: 7.9 };

describe('cart abandonment journey (time-skipping)', () => {
  const t = new JourneyTestEnv('cart', { contact: { quietHours: { sms: null } } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  async function contactable(prefix: string, sms = true) {
    const customer = t.customer(prefix);
    await t.profile(customer.customerId, {
      email: customer.email,
      phone: customer.phone,
      firstName: 'Ann',
      emailOptIn: true,
      smsOptIn: sms,
    });
    return customer;
  }

  const sentSteps = async (customerId: string) =>
    (await t.ledger(customerId)).filter((row) => row.state === 'sent').map((row) => `${row.step}:${row.channel}`);

  it(
    'sends reminder 1 by email after 1 h, ' +
      'reminder 2 by SMS 24 h later and a final email with an incentive 72 h later',
    async () => {
      const { customerId, email, phone } = await contactable('full');
      const start = await t.now();
      await t.journeys.startOrSignal(
        'cart-abandonment',
        await t.event('cart.updated', customerId, { cartId: 'k', items: [mug, tea], currency: 'EUR' }, start),
      );

      const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
      assert.equal(result.outcome, 'completed');
      assert.equal(result.messagesSent, 3);
      const ledger = await t.ledger(customerId);
      assert.deepEqual(
        ledger.map((row) => `${row.step}:${row.channel}:${row.state}`),
        ['reminder-1:email:sent', 'reminder-2:sms:sent', 'final:email:sent'],
      );
      const offsets = ledger.map((row) => row.contact_at!.getTime() - start.getTime());
      assert.ok(Math.abs(offsets[0]! - HOUR) < 60_000, `reminder 1 at +${offsets[0]} ms`);
      assert.ok(Math.abs(offsets[1]! - 25 * HOUR) < 120_000, `reminder 2 at +${offsets[1]} ms`);
      assert.ok(Math.abs(offsets[2]! - 97 * HOUR) < 180_000, `final at +${offsets[2]} ms`);

      const emails = await messagesTo(email);
      assert.deepEqual(emails.map((message) => message.Subject).sort(), [
        'Ann, a little something to finish your order',
        'Ann, you left something in your cart',
      ]);
      const sms = t.twilio.to(phone);
      assert.equal(sms.length, 1);
      assert.match(sms[0]!.body, /^Ann, your cart \(3 items\) is saved/);
      assert.ok(sms[0]!.body.length <= 160);
    },
  );

  it('sends reminder 2 by email when the customer has no SMS consent', async () => {
    const { customerId, phone } = await contactable('nosms', false);
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    assert.equal((await t.result('cart-abandonment', customerId, 98 * HOUR)).messagesSent, 3);
    assert.deepEqual(await sentSteps(customerId), ['reminder-1:email', 'reminder-2:email', 'final:email']);
    assert.equal(t.twilio.to(phone).length, 0);
  });

  it('falls back to email when the SMS provider rejects the number for good, and records why', async () => {
    const { customerId, phone } = await contactable('badphone');
    t.twilio.failNext({ status: 400, code: 21211 });
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 3]);
    const ledger = await t.ledger(customerId);
    assert.deepEqual(
      ledger.map((row) => `${row.step}:${row.channel}:${row.state}`),
      ['reminder-1:email:sent', 'reminder-2:sms:failed', 'reminder-2:email:sent', 'final:email:sent'],
    );
    assert.match(ledger[1]!.reason!, /Twilio 21211/);
    assert.equal(t.twilio.to(phone).length, 0);
  });

  it('sends reminder 2 by email once when Twilio reports its SMS undelivered, under the email key', async () => {
    const { customerId, email } = await contactable('undelivered');
    const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', entry);
    await t.env.sleep(25 * HOUR + 10 * 60_000);
    const sms = await t.db
      .selectFrom('deliveries')
      .select(['message_id', 'state'])
      .where('customer_id', '=', customerId)
      .where('channel', '=', 'sms')
      .executeTakeFirstOrThrow();
    assert.equal(sms.state, 'sent');
    const failed = await t.event('message.failed', customerId, {
      messageId: sms.message_id,
      channel: 'sms',
      campaign: 'cart-abandonment',
      step: 'reminder-2',
      journeyId: entry.eventId,
      provider: 'twilio',
      errorCode: '30003',
    });
    assert.equal(await t.journeys.signalIfRunning('cart-abandonment', failed), true);
    assert.equal(await t.journeys.signalIfRunning('cart-abandonment', failed), true);

    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 4]);
    assert.deepEqual(await sentSteps(customerId), [
      'reminder-1:email',
      'reminder-2:sms',
      'reminder-2:email',
      'final:email',
    ]);
    const fallback = await t.db
      .selectFrom('deliveries')
      .select('idempotency_key')
      .where('customer_id', '=', customerId)
      .where('step', '=', 'reminder-2')
      .where('channel', '=', 'email')
      .execute();
    assert.deepEqual(
      fallback.map((row) => row.idempotency_key),
      [deliveryKey('cart-abandonment', customerId, entry.eventId, 'reminder-2', 'email')],
    );
    assert.equal((await messagesTo(email)).length, 3);
  });

  it('resets the inactivity clock on every cart update and ignores a stale one', async () => {
    const { customerId, email } = await contactable('reset');
    const start = await t.now();
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }, start),
    );
    await t.env.sleep(30 * 60_000);
    const update = await t.now();
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug, tea] }, update),
    );
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [] }, new Date(start.getTime() + 60_000)),
    );
    await t.env.sleep(2 * HOUR);

    const [reminder] = await t.ledger(customerId);
    assert.equal(reminder?.step, 'reminder-1');
    assert.ok(
      Math.abs(reminder.contact_at!.getTime() - (update.getTime() + HOUR)) < 60_000,
      'reminder 1 runs from the last (not the stale) update',
    );
    const [message] = await messagesTo(email);
    assert.ok(message, 'the reminder went out: the stale "emptied cart" did not end the journey');
    const state = await t.handle('cart-abandonment', customerId).query(journeyStateQuery);
    assert.ok(state.timeline.some((entry) => entry.text.startsWith('stale cart update')));
    await t.handle('cart-abandonment', customerId).signal(cancelJourneySignal, { reason: 'test cleanup' });
  });

  it('ends as converted with nothing sent when the customer orders before reminder 1', async () => {
    const { customerId, email } = await contactable('early-order');
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    await t.env.sleep(20 * 60_000);
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o1' }));
    const result = await t.result('cart-abandonment', customerId);
    assert.deepEqual([result.outcome, result.messagesSent, result.attributedTo], ['converted', 0, null]);
    assert.equal((await messagesTo(email)).length, 0);
    const description = await t.handle('cart-abandonment', customerId).describe();
    assert.deepEqual(description.searchAttributes.Outcome, ['converted']);
  });

  it('attributes a conversion to the last message sent and sends nothing after it', async () => {
    const { customerId } = await contactable('late-order');
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    await t.env.sleep(2 * HOUR);
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o2' }));
    const result = await t.result('cart-abandonment', customerId);
    assert.deepEqual([result.outcome, result.attributedTo], ['converted', 'reminder-1 (email)']);
    await t.env.sleep(5 * DAY);
    assert.deepEqual(await sentSteps(customerId), ['reminder-1:email']);
  });

  for (const [name, event, outcome] of [
    ['an emptied cart', (id: string) => t.event('cart.updated', id, { cartId: 'k', items: [] }), 'cart_emptied'],
    [
      'an unsubscribe from everything',
      (id: string) => t.event('customer.unsubscribed', id, { channel: 'all' }),
      'unsubscribed',
    ],
  ] as const) {
    it(`exits on ${name} before the next send`, async () => {
      const { customerId } = await contactable(outcome);
      await t.journeys.startOrSignal(
        'cart-abandonment',
        await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
      );
      await t.env.sleep(2 * HOUR);
      await t.journeys.signalIfRunning('cart-abandonment', await event(customerId));
      assert.equal((await t.result('cart-abandonment', customerId)).outcome, outcome);
      assert.deepEqual(await sentSteps(customerId), ['reminder-1:email']);
    });
  }

  it('exits as cancelled, with the reason, when an operator cancels it', async () => {
    const { customerId } = await contactable('cancel');
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    assert.equal(await t.journeys.cancel('cart-abandonment', customerId, 'customer complaint'), true);
    assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'cancelled');
    const state = await t.handle('cart-abandonment', customerId).query(journeyStateQuery);
    assert.match(state.timeline.at(-1)!.text, /customer complaint/);
    assert.deepEqual(await sentSteps(customerId), []);
  });

  it(
    'ends a replayed entry as duplicate_entry even when its replayed order arrives with it, ' +
      'leaving the journey log as it was',
    async () => {
      const { customerId } = await contactable('replayed-exit');
      const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
      await t.journeys.startOrSignal('cart-abandonment', entry);
      assert.equal((await t.result('cart-abandonment', customerId, 98 * HOUR)).outcome, 'completed');
      const logRow = () =>
        t.db
          .selectFrom('journeys')
          .select(['outcome', 'messages_sent', 'last_message_at', 'ended_at'])
          .where('customer_id', '=', customerId)
          .execute();
      const before = await logRow();

      await t.journeys.startOrSignal('cart-abandonment', entry);
      const delivered = await t.journeys.signalIfRunning(
        'cart-abandonment',
        await t.event('order.placed', customerId, { orderId: 'o-1' }),
      );
      assert.equal(
        delivered,
        true,
        'the replayed order must reach the replayed journey while it is deciding whether to run',
      );
      assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'duplicate_entry');
      assert.deepEqual(await logRow(), before);
      assert.equal(before[0]?.messages_sent, 3);
    },
  );

  it('ignores a replayed entry event after the journey ended, and re-enters only after the cooldown', async () => {
    const { customerId } = await contactable('reentry');
    const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', entry);
    assert.equal((await t.result('cart-abandonment', customerId, 98 * HOUR)).outcome, 'completed');

    await t.journeys.startOrSignal('cart-abandonment', entry);
    assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'duplicate_entry');

    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k2', items: [tea] }),
    );
    assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'cooldown');

    await t.env.sleep(7 * DAY);
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k3', items: [tea] }),
    );
    assert.equal((await t.result('cart-abandonment', customerId, 98 * HOUR)).outcome, 'completed');
    assert.equal(
      (await sentSteps(customerId)).length,
      6,
      'two journeys of three messages, none for the replay or during the cooldown',
    );
  });
});
