import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JourneyTestEnv } from '../support/journey-env';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

/**
 * Issue 14, defects 7 and 9: entries at the edges of a journey. A refused entry is remembered, so a
 * replay of the topic months later cannot admit it; an entry too old to act on is refused; an entry
 * that arrives after a journey decided to end but before it closed starts the next journey.
 */
describe('entries at the edges of a journey (time-skipping)', () => {
  const t = new JourneyTestEnv('edges', { contact: { quietHours: { sms: null, email: null } } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  async function contactable(prefix: string) {
    const customer = t.customer(prefix);
    await t.profile(customer.customerId, {
      email: customer.email,
      firstName: 'Ann',
      emailOptIn: true,
      smsOptIn: false,
    });
    return customer;
  }
  const sent = async (customerId: string) => (await t.ledger(customerId)).filter((row) => row.state === 'sent').length;
  /**
   * How the journey ended, or that it is still running after `skipMs` of journey time (a failure,
   * without waiting for its end).
   */
  const outcomeAfter = async (customerId: string, skipMs: number) => {
    await t.env.sleep(skipMs);
    const handle = t.handle('cart-abandonment', customerId);
    if ((await handle.describe()).status.name === 'RUNNING')
      return `still running (${(await t.journeys.state('cart-abandonment', customerId)).stage})`;
    return (await t.result('cart-abandonment', customerId)).outcome;
  };

  it('remembers an entry refused for the cooldown: replayed after the cooldown, it is still refused', async () => {
    const { customerId } = await contactable('refused-replay');
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k1', items: [mug] }),
    );
    assert.equal((await t.result('cart-abandonment', customerId, 98 * HOUR)).outcome, 'completed');

    const refused = await t.event('cart.updated', customerId, { cartId: 'k2', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', refused);
    assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'cooldown');

    // Months later, the topic is replayed: the refused entry must not become a journey now.
    await t.env.sleep(60 * DAY);
    await t.journeys.startOrSignal('cart-abandonment', refused);
    assert.equal(await outcomeAfter(customerId, 2 * HOUR), 'duplicate_entry');
    assert.equal(
      await sent(customerId),
      3,
      'the three messages of the first journey, nothing for the replayed refusal',
    );
  });

  it('refuses an entry event older than the campaign accepts as stale', async () => {
    const { customerId } = await contactable('too-old');
    const threeDaysAgo = new Date((await t.now()).getTime() - 3 * DAY);
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'old', items: [mug] }, threeDaysAgo),
    );
    assert.equal(await outcomeAfter(customerId, 2 * HOUR), 'stale_event');
    assert.equal(await sent(customerId), 0);
  });

  it('ends on an emptied cart that follows a cart dated a few minutes ahead (within the accepted skew)', async () => {
    const { customerId } = await contactable('ahead');
    const now = (await t.now()).getTime();
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }, new Date(now + 4 * 60_000)),
    );
    await t.env.sleep(60_000);
    await t.journeys.signalIfRunning(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [] }, new Date(now + 60_000)),
    );
    assert.equal(await outcomeAfter(customerId, 2 * HOUR), 'cart_emptied');
    assert.equal(await sent(customerId), 0);
  });
});

describe('an entry that arrives as a journey ends (time-skipping, no sticky cache: the worker restarts)', () => {
  const t = new JourneyTestEnv(
    'late-entry',
    { contact: { quietHours: { sms: null, email: null } } },
    { stickyCache: false },
  );
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it('starts the next journey for a cart that arrives after the order, before the journey closed', async () => {
    const { customerId, email } = t.customer('late-cart');
    await t.profile(customerId, { email, firstName: 'Ann', emailOptIn: true });
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k1', items: [mug] }),
    );
    await t.journeys.state('cart-abandonment', customerId);
    // Both events reach the journey in one go: the order ends it, the new cart arrives as it closes.
    await t.stopWorker();
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o1' }));
    await t.journeys.signalIfRunning(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k2', items: [mug] }),
    );
    await t.startWorker();

    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.equal(result.outcome, 'completed', 'the new cart got its journey');
    assert.equal(result.messagesSent, 3);
    const log = await t.db
      .selectFrom('journeys')
      .select(['outcome'])
      .where('customer_id', '=', customerId)
      .orderBy('entered_at')
      .execute();
    assert.deepEqual(
      log.map((row) => row.outcome),
      ['converted', 'completed'],
    );
  });
});
