import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MIN_CONTINUE_AS_NEW_AFTER_EVENTS } from '../../contract/settings/overrides';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;

describe('continue-as-new (stubbed activities)', () => {
  // The smallest history the settings accept: the journey continues as new again and again.
  const t = new StubJourneyEnv('can', {
    'cart-abandonment': { continueAsNewAfterEvents: MIN_CONTINUE_AS_NEW_AFTER_EVENTS },
    contact: { quietHours: { sms: null } },
  });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it('keeps step progress and dedup memory across runs, and sends each step once', async () => {
    const { customerId } = t.customer('busy');
    const handle = t.handle('cart-abandonment', customerId);
    const updates = [];
    let firstRunId = '';
    for (let quantity = 1; quantity <= 8; quantity += 1) {
      const update = await t.event('cart.updated', customerId, {
        cartId: 'k',
        items: [{ productId: 'mug', name: 'Mug', quantity, price: 5 }],
      });
      updates.push(update);
      await t.journeys.startOrSignal('cart-abandonment', update);
      firstRunId ||= (await handle.describe()).runId;
      await t.env.sleep(60_000);
    }
    const runIds = new Set([firstRunId, (await handle.describe()).runId]);
    assert.equal(runIds.size, 2, 'the journey continued as new while the cart changed');

    // Replays of every update, four times after reminder 1 (32 signals: past the history's limit however
    // the worker batches them into tasks) and again after reminder 2: all were seen by earlier runs.
    await t.env.sleep(2 * HOUR);
    const replays = [...updates, ...updates, ...updates, ...updates];
    for (const update of replays) await t.journeys.startOrSignal('cart-abandonment', update);
    runIds.add((await handle.describe()).runId);
    await t.env.sleep(25 * HOUR);
    for (const update of updates) await t.journeys.startOrSignal('cart-abandonment', update);
    runIds.add((await handle.describe()).runId);
    assert.deepEqual(
      t.world.sentSteps(customerId),
      ['reminder-1:email', 'reminder-2:sms'],
      'the replays did not restart the wait for reminder 2 or 3',
    );

    const state = await t.state('cart-abandonment', customerId);
    assert.equal(state.timeline.filter((entry) => entry.text.startsWith('cart updated')).length, 8);
    const result = await t.result('cart-abandonment', customerId, 98 * HOUR);
    assert.deepEqual([result.outcome, result.journeyId, result.messagesSent], ['completed', updates[0]!.eventId, 3]);
    runIds.add((await handle.describe()).runId);
    assert.ok(runIds.size >= 3, `${runIds.size} runs seen`);
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms', 'final:email']);
    assert.deepEqual(t.world.doubleSends(), []);
    assert.equal(t.world.callsOf(customerId, 'enterJourney').length, 1, 'a carried run is not admitted again');
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => [row.outcome, row.messagesSent]),
      [['completed', 3]],
    );
  });
});
