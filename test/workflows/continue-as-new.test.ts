import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { journeyStateQuery } from '../../contract/journeys';
import { MIN_CONTINUE_AS_NEW_AFTER_EVENTS } from '../../contract/settings/overrides';
import { JourneyTestEnv } from '../support/journey-env';

const HOUR = 3_600_000;

describe('long-lived journeys continue as new (time-skipping)', () => {
  const t = new JourneyTestEnv('can', {
    'cart-abandonment': { continueAsNewAfterEvents: MIN_CONTINUE_AS_NEW_AFTER_EVENTS },
    contact: { quietHours: { sms: null } },
  });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it('carries dedup state, timeline and progress into the new run', async () => {
    const { customerId, email } = t.customer('busy');
    await t.profile(customerId, { email, emailOptIn: true });
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
    const latest = await handle.describe();
    assert.notEqual(latest.runId, firstRunId, 'the journey continued as new');
    assert.equal(latest.status.name, 'RUNNING');

    // Replays of events the first run saw must still be recognised after continue-as-new.
    for (const update of updates) await t.journeys.startOrSignal('cart-abandonment', update);
    await t.env.sleep(2 * HOUR);
    const state = await handle.query(journeyStateQuery);
    assert.equal(state.timeline.filter((entry) => entry.text.startsWith('cart updated')).length, 8);
    assert.equal(state.journeyId, updates[0]!.eventId);
    assert.deepEqual(
      (await t.ledger(customerId)).map((row) => `${row.step}:${row.state}`),
      ['reminder-1:sent'],
    );
    await t.journeys.cancel('cart-abandonment', customerId, 'test cleanup');
  });
});
