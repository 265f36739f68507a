import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JourneyTestEnv } from '../support/journey-env';
import { eventually } from '../support/services';

const DAY = 86_400_000;

describe('churn retention journey (time-skipping)', () => {
  // No sticky workflow cache: the worker restart below must not leave a workflow task on the old
  // worker's sticky queue, whose timeout the time-skipping server would never reach.
  const t = new JourneyTestEnv('churn', { contact: { quietHours: { sms: null } } }, { stickyCache: false });
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  async function atRisk(prefix: string) {
    const customer = t.customer(prefix);
    await t.profile(customer.customerId, {
      email: customer.email,
      phone: customer.phone,
      firstName: 'Cy',
      emailOptIn: true,
      smsOptIn: true,
    });
    return customer;
  }
  const score = (customerId: string, value: number) =>
    t.event('churn.risk_scored', customerId, { score: value, model: 'test' });
  const sentSteps = async (customerId: string) =>
    (await t.ledger(customerId)).filter((row) => row.state === 'sent').map((row) => `${row.step}:${row.channel}`);

  it('sends the win-back email on day 0, the SMS offer on day 3 and the final email on day 7', async () => {
    const { customerId, phone } = await atRisk('full');
    const start = await t.now();
    await t.journeys.startOrSignal('churn-retention', await score(customerId, 0.85));
    const result = await t.result('churn-retention', customerId, 8 * DAY);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 3]);
    const ledger = await t.ledger(customerId);
    assert.deepEqual(
      ledger.map((row) => `${row.step}:${row.channel}:${row.state}`),
      ['day-0:email:sent', 'day-3:sms:sent', 'day-7:email:sent'],
    );
    const days = ledger.map((row) => Math.round((row.contact_at!.getTime() - start.getTime()) / DAY));
    assert.deepEqual(days, [0, 3, 7]);
    assert.match(t.twilio.to(phone)[0]!.body, /WELCOMEBACK15/);
  });

  for (const [name, event, outcome] of [
    ['comes back', (id: string) => t.event('session.started', id, {}), 'customer_returned'],
    ['orders', (id: string) => t.event('order.placed', id, { orderId: 'o' }), 'converted'],
    ['scores under the threshold', (id: string) => score(id, 0.4), 'score_dropped'],
  ] as const) {
    it(`stops after day 0 when the customer ${name}`, async () => {
      const { customerId } = await atRisk(outcome);
      await t.journeys.startOrSignal('churn-retention', await score(customerId, 0.9));
      await t.env.sleep(DAY);
      await t.journeys.signalIfRunning('churn-retention', await event(customerId));
      const result = await t.result('churn-retention', customerId);
      assert.equal(result.outcome, outcome);
      assert.equal(result.attributedTo, outcome === 'converted' ? 'day-0 (email)' : null);
      await t.env.sleep(7 * DAY);
      assert.deepEqual(await sentSteps(customerId), ['day-0:email']);
    });
  }

  it('survives a worker restart in the middle of the day-3 wait and sends the SMS once', async () => {
    const { customerId, phone } = await atRisk('restart');
    await t.journeys.startOrSignal('churn-retention', await score(customerId, 0.8));
    await eventually(
      'the day-0 email',
      () => sentSteps(customerId),
      (steps) => steps.length === 1,
      15_000,
    );

    await t.env.sleep(DAY);
    // A deploy in the middle of the wait: the old worker goes away, a new one (empty workflow cache)
    // replays the history and carries on. (The time-skipping server cannot advance past a due
    // timer while no worker is polling, so the restart happens before day 3 comes due.)
    await t.stopWorker();
    await t.startWorker();
    assert.equal(t.twilio.to(phone).length, 0, 'no SMS before day 3');

    const result = await t.result('churn-retention', customerId, 7 * DAY);
    assert.equal(result.outcome, 'completed');
    assert.equal(t.twilio.to(phone).length, 1);
    assert.deepEqual(await sentSteps(customerId), ['day-0:email', 'day-3:sms', 'day-7:email']);
  });
});
