import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { journeyStateQuery } from '../../contract/journeys';
import { JourneyTestEnv } from '../support/journey-env';
import { messagesTo } from '../support/mailpit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const lamp = { productId: 'lamp', name: 'Desk lamp', quantity: 1, price: 39 };
const bulb = { productId: 'bulb', name: 'Warm bulb', quantity: 2, price: 4.5 };

describe('post-purchase journey (time-skipping)', () => {
  const t = new JourneyTestEnv('post-purchase', { contact: { quietHours: { sms: null } } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  async function buyer(prefix: string) {
    const customer = t.customer(prefix);
    await t.profile(customer.customerId, {
      email: customer.email,
      firstName: 'Pat',
      emailOptIn: true,
    });
    return customer;
  }
  const order = (customerId: string, orderId: string, items: object[] = [lamp]) =>
    t.event('order.placed', customerId, { orderId, items, total: 39, currency: 'EUR' });
  const sentSteps = async (customerId: string) =>
    (await t.ledger(customerId)).filter((row) => row.state === 'sent').map((row) => `${row.step}:${row.channel}`);

  it('asks for a review 3 days after the order and sends the cross-sell email 7 days after that', async () => {
    const { customerId, email } = await buyer('full');
    const start = await t.now();
    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-1', [lamp, bulb]));
    const result = await t.result('post-purchase', customerId, 11 * DAY);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 2]);
    const ledger = await t.ledger(customerId);
    assert.deepEqual(
      ledger.map((row) => `${row.step}:${row.channel}:${row.state}`),
      ['review-request:email:sent', 'cross-sell:email:sent'],
    );
    const offsets = ledger.map((row) => row.contact_at!.getTime() - start.getTime());
    assert.ok(Math.abs(offsets[0]! - 3 * DAY) < 120_000, `review request at +${offsets[0]} ms`);
    assert.ok(Math.abs(offsets[1]! - 10 * DAY) < 180_000, `cross-sell at +${offsets[1]} ms`);

    const emails = await messagesTo(email);
    assert.deepEqual(emails.map((message) => message.Subject).sort(), [
      'Pat, how is your order?',
      'Pat, picked to go with your order',
    ]);
    assert.ok(
      emails.every((message) => /Desk lamp/.test(message.Snippet)),
      'both emails list what was bought',
    );
  });

  it('ends on an unsubscribe from everything after the review request: no cross-sell', async () => {
    const { customerId } = await buyer('unsubscribed');
    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-2'));
    await t.env.sleep(4 * DAY);
    await t.journeys.signalIfRunning(
      'post-purchase',
      await t.event('customer.unsubscribed', customerId, { channel: 'all' }),
    );
    const result = await t.result('post-purchase', customerId);
    assert.equal(result.outcome, 'unsubscribed');
    await t.env.sleep(8 * DAY);
    assert.deepEqual(await sentSteps(customerId), ['review-request:email']);
  });

  it('takes a second order into the running journey without a second journey or moved timers', async () => {
    const { customerId, email } = await buyer('reorder');
    const start = await t.now();
    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-3', [lamp]));
    await t.env.sleep(DAY);
    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-4', [bulb]));
    const state = await t.handle('post-purchase', customerId).query(journeyStateQuery);
    assert.ok(state.timeline.some((entry) => entry.text === 'order o-4 placed'));
    const result = await t.result('post-purchase', customerId, 11 * DAY);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 2]);
    const review = (await t.ledger(customerId))[0]!;
    assert.ok(Math.abs(review.contact_at!.getTime() - start.getTime() - 3 * DAY) < 120_000, 'due from the first order');
    const emails = await messagesTo(email);
    assert.ok(
      emails.every((message) => /Warm bulb/.test(message.Snippet) && !/Desk lamp/.test(message.Snippet)),
      'the messages are about the newest order',
    );
  });

  it("refuses the next order's journey within the cooldown, and takes one after it", async () => {
    const { customerId } = await buyer('cooldown');
    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-5'));
    assert.equal((await t.result('post-purchase', customerId, 11 * DAY)).outcome, 'completed');

    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-6'));
    assert.equal((await t.result('post-purchase', customerId)).outcome, 'cooldown');

    await t.env.sleep(30 * DAY);
    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-7'));
    const later = await t.result('post-purchase', customerId, 11 * DAY);
    assert.deepEqual([later.outcome, later.messagesSent], ['completed', 2]);
  });

  it('ends not_contactable, sending nothing, when the customer never opted in', async () => {
    const { customerId, email } = t.customer('no-consent');
    await t.profile(customerId, { email, emailOptIn: false });
    await t.journeys.startOrSignal('post-purchase', await order(customerId, 'o-8'));
    const result = await t.result('post-purchase', customerId, 11 * DAY);
    assert.deepEqual([result.outcome, result.messagesSent], ['not_contactable', 0]);
    assert.deepEqual(await sentSteps(customerId), []);
  });
});
