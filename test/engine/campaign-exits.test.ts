import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Campaign-specific ends: browse suppressed by a running cart journey, churn ended by a low score. */
describe('browse suppression and churn score exits (stubbed activities)', () => {
  const t = new StubJourneyEnv('campaign-exits');
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  const view = (customerId: string) => t.event('product.viewed', customerId, { productId: 'lamp', name: 'Desk lamp' });
  const score = (customerId: string, value: number, occurredAtMs?: number) =>
    t.event('churn.risk_scored', customerId, { score: value, model: 'test' }, occurredAtMs);

  it('suppresses the browse email while a cart journey runs for the customer', async () => {
    const { customerId } = t.customer('suppressed');
    t.world.setJourneyRunning('cart-abandonment', customerId, true);
    await t.journeys.startOrSignal('browse-abandonment', await view(customerId));
    const result = await t.result('browse-abandonment', customerId, 2 * HOUR + 60_000);
    assert.deepEqual([result.outcome, result.messagesSent], ['suppressed', 0]);
    assert.deepEqual(t.world.sentSteps(customerId), []);
    assert.deepEqual(
      t.world.callsOf(customerId, 'isJourneyRunning').map((call) => call.detail),
      ['cart-abandonment'],
    );
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => row.outcome),
      ['suppressed'],
    );
  });

  it('sends the browse email when no cart journey runs', async () => {
    const { customerId } = t.customer('not-suppressed');
    await t.journeys.startOrSignal('browse-abandonment', await view(customerId));
    const result = await t.result('browse-abandonment', customerId, 2 * HOUR + 60_000);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 1]);
    assert.deepEqual(t.world.sentSteps(customerId), ['browse-email:email']);
    assert.deepEqual(t.world.messagesTo(customerId)[0]?.template, {
      id: 'browse-reminder',
      products: [{ productId: 'lamp', name: 'Desk lamp' }],
    });
  });

  it('ends churn retention as score_dropped on a newer score under the threshold, ignoring an older one', async () => {
    const { customerId } = t.customer('score');
    const start = await t.now();
    await t.journeys.startOrSignal('churn-retention', await score(customerId, 0.9, start));
    await t.env.sleep(DAY);
    await t.journeys.signalIfRunning('churn-retention', await score(customerId, 0.2, start - 60_000));
    assert.equal(
      await t.outcomeAfter('churn-retention', customerId, 60_000),
      'still running (waiting_for_sms_offer)',
      'a stale score does not end the journey',
    );

    const dropped = await score(customerId, 0.4);
    await t.journeys.signalIfRunning('churn-retention', dropped);
    const result = await t.result('churn-retention', customerId);
    assert.deepEqual([result.outcome, result.messagesSent, result.attributedTo], ['score_dropped', 1, null]);
    await t.env.sleep(7 * DAY);
    assert.deepEqual(t.world.sentSteps(customerId), ['day-0:email']);
    assert.deepEqual(
      t.world.journeysOf(customerId).map((row) => [row.outcome, row.endedAtMs]),
      [['score_dropped', Date.parse(dropped.occurredAt)]],
    );
  });
});
