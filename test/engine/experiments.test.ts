import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MIN_CONTINUE_AS_NEW_AFTER_EVENTS } from '../../contract/settings/overrides';
import { assign, type ExperimentPlan } from '../../platform/experiments/assignment';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const CART = 'cart-abandonment';

describe('holdout and variants (stubbed activities)', () => {
  const variants = [
    { name: 'plain', weight: 1 },
    { name: 'incentive', weight: 1, template: 'cart-final', delay: '3h' },
  ];
  const t = new StubJourneyEnv('experiments', {
    [CART]: {
      holdout: 0.5,
      assignmentSalt: 'engine-test',
      continueAsNewAfterEvents: MIN_CONTINUE_AS_NEW_AFTER_EVENTS,
      variants: { 'reminder-1': variants },
    },
    contact: { quietHours: { sms: null } },
  });
  const plan: ExperimentPlan = {
    holdout: 0.5,
    assignmentSalt: 'engine-test',
    variants: { 'reminder-1': variants.map(({ name, weight }) => ({ name, weight })) },
  };
  /** A new customer whom the campaign's hash deals as asked. */
  const customerDealt = (wanted: (dealt: ReturnType<typeof assign>) => boolean) => {
    for (let tries = 0; tries < 200; tries += 1) {
      const customer = t.customer('x');
      if (wanted(assign(CART, customer.customerId, plan))) return customer;
    }
    throw new Error('no customer dealt that way in 200 tries');
  };
  const cartOf = async (customerId: string, atMs: number) =>
    t.event(
      'cart.updated',
      customerId,
      { cartId: 'c', items: [{ productId: 'mug', name: 'Mug', quantity: 1, price: 5 }] },
      atMs,
    );

  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  it('a held-out journey waits and ends like a treated one, records its steps held_out, sends nothing', async () => {
    const held = customerDealt((dealt) => dealt.group === 'holdout');
    const treated = customerDealt((dealt) => dealt.group === 'treatment' && dealt.variants['reminder-1'] === 'plain');
    const startedAt = await t.now();
    for (const customer of [held, treated])
      await t.journeys.startOrSignal(CART, await cartOf(customer.customerId, startedAt));

    const heldResult = await t.result(CART, held.customerId, 100 * HOUR);
    const treatedResult = await t.result(CART, treated.customerId);
    assert.deepEqual(t.world.messagesTo(held.customerId), [], 'the held-out customer was sent nothing');
    assert.deepEqual(t.world.sentSteps(treated.customerId), ['reminder-1:email', 'reminder-2:sms', 'final:email']);
    assert.deepEqual(
      t.world.ledgerOf(held.customerId).map((row) => [row.step, row.channel, row.state, row.reason]),
      [
        ['reminder-1', 'email', 'skipped', 'held_out'],
        ['reminder-2', 'sms', 'skipped', 'held_out'],
        ['final', 'email', 'skipped', 'held_out'],
      ],
    );
    assert.deepEqual([heldResult.outcome, heldResult.messagesSent], ['completed', 0]);
    assert.deepEqual([treatedResult.outcome, treatedResult.messagesSent], ['completed', 3]);
    assert.equal(t.world.journeysOf(held.customerId)[0]?.assignment.group, 'holdout');

    // Each held-out step is due when the treated customer's message was sent: the same waits.
    const heldState = await t.state(CART, held.customerId);
    const heldAt = heldState.timeline
      .filter((entry) => entry.text.includes('held out, not sent'))
      .map((e) => Date.parse(e.at));
    const sentAt = t.world.messagesTo(treated.customerId).map((message) => message.atMs);
    assert.equal(heldAt.length, 3);
    heldAt.forEach((at, index) =>
      assert.ok(Math.abs(at - sentAt[index]!) < 1_000, `step ${index + 1}: ${at} vs ${sentAt[index]}`),
    );
    assert.equal(heldState.group, 'holdout');
  });

  it('an order ends a held-out journey as converted, like a treated one', async () => {
    const held = customerDealt((dealt) => dealt.group === 'holdout');
    const startedAt = await t.now();
    await t.journeys.startOrSignal(CART, await cartOf(held.customerId, startedAt));
    await t.env.sleep(2 * HOUR);
    await t.journeys.signalIfRunning(
      CART,
      await t.event('order.placed', held.customerId, { orderId: 'o-1', total: 20, currency: 'EUR' }),
    );
    const result = await t.result(CART, held.customerId);
    assert.deepEqual([result.outcome, result.messagesSent, result.attributedTo], ['converted', 0, null]);
  });

  it("a variant's template and delay are used, and the variant stays the same across continue-as-new", async () => {
    const incentive = customerDealt((dealt) => dealt.variants['reminder-1'] === 'incentive');
    const plain = customerDealt((dealt) => dealt.variants['reminder-1'] === 'plain');
    const startedAt = await t.now();
    const handle = t.handle(CART, incentive.customerId);
    for (const customer of [incentive, plain])
      await t.journeys.startOrSignal(CART, await cartOf(customer.customerId, startedAt));
    const firstRunId = (await handle.describe()).runId;
    // Cart changes grow the history past the continue-as-new threshold.
    for (let change = 1; change <= 6; change += 1) {
      await t.env.sleep(60_000);
      await t.journeys.startOrSignal(CART, await cartOf(incentive.customerId, await t.now()));
    }
    const lastChangeAt = await t.now();
    await t.env.sleep(4 * HOUR);
    assert.notEqual((await handle.describe()).runId, firstRunId, 'the journey continued as new');

    const [first] = t.world.messagesTo(incentive.customerId);
    assert.equal(first?.template.id, 'cart-final', 'the variant sends its template');
    assert.ok(Math.abs(first.atMs - (lastChangeAt + 3 * HOUR)) < 1_000, 'the variant waits its own delay (3 h)');
    const [plainFirst] = t.world.messagesTo(plain.customerId);
    assert.equal(plainFirst?.template.id, 'cart-reminder');
    assert.ok(Math.abs(plainFirst.atMs - (startedAt + HOUR)) < 1_000, 'the default waits the campaign delay (1 h)');

    const state = await t.state(CART, incentive.customerId);
    assert.deepEqual([state.group, state.variants], ['treatment', { 'reminder-1': 'incentive' }]);
    assert.equal(t.world.callsOf(incentive.customerId, 'enterJourney').length, 1, 'dealt once, at admission');
    const described = await handle.describe();
    assert.deepEqual(described.searchAttributes.Variant, ['reminder-1:incentive']);
  });
});
