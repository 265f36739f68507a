import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowContinuedAsNewError } from '@temporalio/client';
import { journeyStateQuery, journeyWorkflowId } from '../../contract/journeys';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

/**
 * docs/JOURNEYS.md: an entry that arrives as a journey ends is handed to the next journey. That
 * includes an entry that arrives *during* the admission of a replayed entry that is then refused
 * (a replay of the topic, the customer's fresh cart meanwhile): before the fix it was taken as a
 * cart update of the refused journey and dropped with it.
 */
describe('a fresh entry during the admission of a refused replay (stubbed activities)', () => {
  const t = new StubJourneyEnv('swallowed', { contact: { quietHours: { sms: null } } });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  void it('a fresh cart that arrives while a replayed entry is being refused starts its own journey', async () => {
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
    const refusedRun = (await t.handle('cart-abandonment', customerId).describe()).runId;
    const fresh = await t.event('cart.updated', customerId, { cartId: 'k2', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', fresh); // the customer, now
    gate.release();
    const refused = t.client.workflow.getHandle(journeyWorkflowId('cart-abandonment', customerId), refusedRun, {
      followRuns: false,
    });
    // the refused run ends as duplicate_entry and hands the fresh cart to the next run
    await assert.rejects(refused.result(), WorkflowContinuedAsNewError);
    assert.equal((await refused.query(journeyStateQuery)).outcome, 'duplicate_entry');
    await t.until(
      'the fresh cart to be admitted',
      () => t.world.journeysOf(customerId).map((row) => row.journeyId),
      (ids) => ids.length === 2,
    );
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => row.journeyId),
      [old.eventId, fresh.eventId],
      'the fresh cart got a journey',
    );
    assert.equal((await t.result('cart-abandonment', customerId, 98 * HOUR)).outcome, 'completed');
    const freshKeys = t.world.ledgerOf(customerId).filter((row) => row.idempotencyKey.includes(fresh.eventId));
    assert.equal(
      freshKeys.filter((row) => row.state === 'sent').length,
      3,
      'the fresh journey sent its three reminders',
    );
  });
});
