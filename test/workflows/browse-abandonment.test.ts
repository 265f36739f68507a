import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JourneyTestEnv } from '../support/journey-env';
import { messageText, messagesTo } from '../support/mailpit';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

describe('browse abandonment journey (time-skipping)', () => {
  const t = new JourneyTestEnv('browse');
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  async function browser(prefix: string) {
    const customer = t.customer(prefix);
    await t.profile(customer.customerId, { email: customer.email, firstName: 'Bea', emailOptIn: true });
    return customer;
  }
  const view = (customerId: string, productId: string, name: string) =>
    t.event('product.viewed', customerId, {
      productId,
      name,
      url: `https://shop.example/p/${productId}`,
      price: 20,
      currency: 'EUR',
    });

  it('emails the viewed products, most recent first, 2 h after the last view', async () => {
    const { customerId, email } = await browser('views');
    const start = await t.now();
    await t.journeys.startOrSignal('browse-abandonment', await view(customerId, 'lamp', 'Desk lamp'));
    await t.env.sleep(HOUR);
    const lastView = await t.now();
    await t.journeys.startOrSignal('browse-abandonment', await view(customerId, 'rug', 'Wool rug'));
    await t.journeys.startOrSignal('browse-abandonment', await view(customerId, 'lamp', 'Desk lamp'));

    const result = await t.result('browse-abandonment', customerId, 3 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 1]);
    const [row] = await t.ledger(customerId);
    assert.ok(
      Math.abs(row!.contact_at!.getTime() - (lastView.getTime() + 2 * HOUR)) < 60_000,
      `sent ${row!.contact_at!.getTime() - start.getTime()} ms after the first view`,
    );
    const [message] = await messagesTo(email);
    assert.equal(message?.Subject, 'Bea, still thinking it over?');
    const text = await messageText(message.ID);
    const lines = text.match(/^- .+$/gm) ?? [];
    assert.deepEqual(
      lines.map((line) => line.replace(/: \S+$/, '')),
      ['- Desk lamp (€20.00)', '- Wool rug (€20.00)'],
    );
    // Each product link is a signed click link whose stored target is the product page.
    const targets = [];
    for (const line of lines) {
      const code = /\/c\/([A-Za-z0-9_-]+)\./.exec(line)?.[1];
      assert.ok(code, `a tracked link in "${line}"`);
      const link = await t.db.selectFrom('tracked_links').select('url').where('code', '=', code).executeTakeFirst();
      targets.push(link?.url);
    }
    assert.deepEqual(targets, ['https://shop.example/p/lamp', 'https://shop.example/p/rug']);
  });

  it('ends as moved_to_cart without an email when the customer fills a cart', async () => {
    const { customerId, email } = await browser('to-cart');
    await t.journeys.startOrSignal('browse-abandonment', await view(customerId, 'lamp', 'Desk lamp'));
    await t.env.sleep(HOUR);
    await t.journeys.signalIfRunning(
      'browse-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    assert.equal((await t.result('browse-abandonment', customerId)).outcome, 'moved_to_cart');
    assert.equal((await messagesTo(email)).length, 0);
  });

  it('ends as converted on an order, and as unsubscribed on an unsubscribe', async () => {
    for (const [event, outcome] of [
      ['order.placed', 'converted'],
      ['customer.unsubscribed', 'unsubscribed'],
    ] as const) {
      const { customerId } = await browser(outcome);
      await t.journeys.startOrSignal('browse-abandonment', await view(customerId, 'lamp', 'Desk lamp'));
      await t.journeys.signalIfRunning(
        'browse-abandonment',
        await t.event(event, customerId, event === 'order.placed' ? { orderId: 'o' } : { channel: 'all' }),
      );
      assert.equal((await t.result('browse-abandonment', customerId)).outcome, outcome);
    }
  });

  it('suppresses the browse email while a cart journey is running for the customer', async () => {
    const { customerId, email } = await browser('suppressed');
    await t.journeys.startOrSignal('browse-abandonment', await view(customerId, 'lamp', 'Desk lamp'));
    // A cart journey started by another path (for example an operator), without ending the browse journey.
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] }),
    );
    assert.equal((await t.result('browse-abandonment', customerId, 2 * HOUR + 60_000)).outcome, 'suppressed');
    const sent = (await t.ledger(customerId)).filter((row) => row.campaign === 'browse-abandonment');
    assert.deepEqual(sent, []);
    assert.deepEqual(
      (await messagesTo(email)).map((message) => message.Subject),
      ['Bea, you left something in your cart'],
    );
    await t.journeys.cancel('cart-abandonment', customerId, 'test cleanup');
  });
});
