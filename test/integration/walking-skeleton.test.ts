import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cancelJourneySignal, journeyWorkflowId, type JourneyResult } from '../../contract/journeys';
import { TestApp } from '../support/app';
import { cartUpdated, customerUpdated, mug, orderPlaced } from '../support/events';
import { messageHeaders, messagesTo } from '../support/mailpit';
import { eventually, runId, sleep } from '../support/services';

const REMINDER_DELAY_MS = 3000;

describe('walking skeleton: Kafka → bridge → Temporal → SMTP', () => {
  const app = new TestApp('skeleton', {
    CAMPAIGN_SETTINGS: JSON.stringify({
      'cart-abandonment': { firstReminderDelay: `${REMINDER_DELAY_MS}ms`, secondReminderDelay: '1 day' },
    }),
  });

  before(async () => {
    await app.start();
  });
  after(async () => {
    await app.stop();
  });

  async function workflowsOf(customerId: string) {
    const found = [];
    for await (const execution of app.client.workflow.list({ query: `CustomerId = "${customerId}"` }))
      found.push(execution);
    return found;
  }

  it('sends exactly one reminder for an abandoned cart, even when the event is produced four times', async () => {
    const customerId = `ann-${runId}`;
    const email = `${customerId}@example.test`;
    const cart = cartUpdated(customerId, [mug]);
    await app.produce([customerUpdated(customerId, { email, firstName: 'Ann', emailOptIn: true }), cart]);

    const [execution] = await eventually(
      'the journey to be searchable by CustomerId',
      () => workflowsOf(customerId),
      (list) => list.length > 0,
      15_000,
    );
    assert.equal(execution!.workflowId, journeyWorkflowId('cart-abandonment', customerId));

    const [message] = await eventually(
      'the reminder email',
      () => messagesTo(email),
      (list) => list.length > 0,
      30_000,
    );
    assert.equal(message!.Subject, 'Ann, you left something in your cart');
    const headers = await messageHeaders(message!.ID);
    assert.equal(headers['X-Campaign-Step']?.[0], 'reminder-1');
    // A signed link on the tracking service that names no customer (docs/FEEDBACK.md).
    assert.match(
      headers['List-Unsubscribe']?.[0] ?? '',
      /^<https?:\/\/[^>\s]+\/u\/[A-Za-z0-9_-]{12}\.[A-Za-z0-9]{1,8}\.[A-Za-z0-9_-]{16}>$/,
    );
    assert.equal(headers['List-Unsubscribe-Post']?.[0], 'List-Unsubscribe=One-Click');

    await app.produce([cart, cart, cart]);
    await app.waitUntilConsumed();
    await sleep(REMINDER_DELAY_MS + 1000);

    assert.equal((await messagesTo(email)).length, 1, 'a duplicated event must not send a second email');
    const ledger = await app.db.selectFrom('deliveries').selectAll().where('customer_id', '=', customerId).execute();
    assert.deepEqual(
      ledger.map((row) => [row.step, row.channel, row.state]),
      [['reminder-1', 'email', 'sent']],
    );
    assert.equal(ledger[0]!.message_id, `<${message!.MessageID}>`);
    assert.equal(
      (await workflowsOf(customerId)).length,
      1,
      'the duplicates reached the running journey instead of starting new ones',
    );
    await app.client.workflow
      .getHandle(journeyWorkflowId('cart-abandonment', customerId))
      .signal(cancelJourneySignal, { reason: 'test cleanup' });
  });

  it('sends nothing when the customer orders before the delay, and ends the journey as converted', async () => {
    const customerId = `bob-${runId}`;
    const email = `${customerId}@example.test`;
    await app.produce([
      customerUpdated(customerId, { email, emailOptIn: true }),
      cartUpdated(customerId, [mug]),
      orderPlaced(customerId),
    ]);

    const handle = app.client.workflow.getHandle(journeyWorkflowId('cart-abandonment', customerId));
    const result = await eventually(
      'the journey to finish',
      async () => (await handle.result()) as JourneyResult,
      () => true,
      15_000,
    );
    assert.equal(result.outcome, 'converted');
    assert.equal(result.messagesSent, 0);
    const description = await handle.describe();
    assert.deepEqual(description.searchAttributes.Outcome, ['converted']);

    await sleep(REMINDER_DELAY_MS + 1500);
    assert.equal((await messagesTo(email)).length, 0);
  });

  it('dead-letters malformed messages with a reason and keeps routing the valid events behind them', async () => {
    const customerId = `cy-${runId}`;
    const email = `${customerId}@example.test`;
    await app.produceRaw([
      { key: customerId, value: 'this is {not json' },
      {
        key: customerId,
        value: JSON.stringify({
          eventId: `bad-${runId}`,
          type: 'cart.updated',
          occurredAt: new Date().toISOString(),
          properties: {},
        }),
      },
    ]);
    await app.produce([customerUpdated(customerId, { email, emailOptIn: true }), cartUpdated(customerId, [mug])]);

    const letters = await eventually(
      'two dead letters',
      () => Promise.resolve([...app.deadLetters]),
      (list) => list.length >= 2,
      15_000,
    );
    const reasons = letters.map((letter) => letter.headers['dlq-reason']).sort();
    assert.deepEqual(reasons, ['invalid_json', 'missing_field']);
    const missing = letters.find((letter) => letter.headers['dlq-reason'] === 'missing_field')!;
    assert.match(missing.headers['dlq-detail']!, /customerId/);
    assert.equal(missing.headers['dlq-source-topic'], app.eventsTopic);
    assert.match(missing.headers['dlq-source-offset']!, /^\d+$/);
    assert.equal(letters.find((letter) => letter.headers['dlq-reason'] === 'invalid_json')!.value, 'this is {not json');

    await eventually(
      'the valid event behind the bad ones to be delivered',
      () => messagesTo(email),
      (list) => list.length === 1,
      30_000,
    );
  });
});
