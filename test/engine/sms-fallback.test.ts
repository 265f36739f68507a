import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventOf } from '../../contract/events';
import { journeyWorkflowId, type CampaignType } from '../../contract/journeys';
import { StubJourneyEnv } from '../support/stub-journey-env';

const HOUR = 3_600_000;
const mug = { productId: 'mug', name: 'Blue mug', quantity: 1, price: 12.5 };

/**
 * docs/JOURNEYS.md, "An SMS reported undelivered": Twilio accepted the SMS (the send returned
 * `sent`), then reported it undelivered; the step's next channel goes out once, between steps.
 */
describe('falling back from an undelivered SMS (stubbed activities, no sticky cache: the worker restarts)', () => {
  const t = new StubJourneyEnv('sms-fallback', { contact: { quietHours: { sms: null } } }, { stickyCache: false });
  const cartSettings = () => t.world.settings().campaigns['cart-abandonment'];
  before(async () => {
    await t.start();
  });
  after(async () => {
    await t.stop();
  });

  async function cartJourney(prefix: string) {
    const { customerId } = t.customer(prefix);
    const entry = await t.event('cart.updated', customerId, { cartId: 'k', items: [mug] });
    await t.journeys.startOrSignal('cart-abandonment', entry);
    return { customerId, journeyId: entry.eventId };
  }

  /** Skips to just after the customer's SMS of `step` went out and the journey took it as sent; returns it. */
  async function afterSms(customerId: string, step: string, campaign: CampaignType = 'cart-abandonment') {
    for (let hops = 0; !t.world.sentSteps(customerId).includes(`${step}:sms`); hops += 1) {
      assert.ok(hops < 200, `${step} was never sent by SMS`);
      await t.env.sleep(HOUR);
    }
    await t.until(
      `the journey to go on after ${step}`,
      async () => (await t.state(campaign, customerId)).stage,
      (stage) => stage !== `sending_${step}`,
    );
    return t.world.messagesTo(customerId).find((message) => message.step === step && message.channel === 'sms')!;
  }

  /** Twilio's report that the SMS `sms` was not delivered, as the webhook publishes it. */
  function failure(
    sms: { messageId: string; customerId: string; campaign: string; step: string },
    journeyId: string,
  ): Promise<EventOf<'message.failed'>> {
    return t.event('message.failed', sms.customerId, {
      messageId: sms.messageId,
      channel: 'sms',
      campaign: sms.campaign,
      step: sms.step,
      journeyId,
      provider: 'twilio',
      providerMessageId: 'SM0123',
      errorCode: '30003',
      reason: 'Unreachable destination handset',
    });
  }

  const signal = (campaign: CampaignType, event: EventOf<'message.failed'>) =>
    t.journeys.signalIfRunning(campaign, event);
  const timeline = async (campaign: CampaignType, customerId: string) =>
    (await t.state(campaign, customerId)).timeline.map((entry) => entry.text);
  const sendsOf = (customerId: string, step: string, channel: string) =>
    t.world.messagesTo(customerId).filter((message) => message.step === step && message.channel === channel);

  it('sends reminder 2 by email once after its SMS failed; the final reminder follows the campaign rule', async () => {
    const { customerId, journeyId } = await cartJourney('fallback');
    const sms = await afterSms(customerId, 'reminder-2');
    await t.env.sleep(10 * 60_000);
    assert.equal(await signal('cart-abandonment', await failure(sms, journeyId)), true);
    await t.until(
      'the fallback email',
      () => sendsOf(customerId, 'reminder-2', 'email').length,
      (n) => n > 0,
    );

    const result = await t.result('cart-abandonment', customerId, 100 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 4]);
    assert.deepEqual(t.world.sentSteps(customerId), [
      'reminder-1:email',
      'reminder-2:sms',
      'reminder-2:email',
      'final:email',
    ]);
    const [fallback] = sendsOf(customerId, 'reminder-2', 'email');
    const [final] = sendsOf(customerId, 'final', 'email');
    assert.ok(fallback!.atMs - sms.atMs >= 10 * 60_000, 'the fallback went out when the failure arrived');
    assert.ok(
      Math.abs(final!.atMs - fallback!.atMs - cartSettings().finalReminderDelayMs) < 60_000,
      'the final reminder is due its delay after the last message, the fallback email',
    );
    assert.ok(
      (await timeline('cart-abandonment', customerId)).includes(
        'reminder-2 (sms) failed: 30003; falling back to email',
      ),
    );
    assert.deepEqual(t.world.doubleSends(), []);
    recordHistoryIfAsked('cart-abandonment-sms-fallback', 'cart-abandonment', customerId);
  });

  it('changes nothing for a failure of another journey, or of a step it did not send by SMS', async () => {
    const { customerId, journeyId } = await cartJourney('not-ours');
    const sms = await afterSms(customerId, 'reminder-2');
    assert.equal(await signal('cart-abandonment', await failure(sms, `older-${journeyId}`)), true);
    const reminder1 = { ...sms, step: 'reminder-1' };
    assert.equal(await signal('cart-abandonment', await failure(reminder1, journeyId)), true);

    const result = await t.result('cart-abandonment', customerId, 100 * HOUR);
    assert.deepEqual([result.outcome, result.messagesSent], ['completed', 3]);
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms', 'final:email']);
    const notes = (await timeline('cart-abandonment', customerId)).filter((text) => text.includes('failed: 30003'));
    assert.deepEqual(notes, [
      `reminder-2 (sms) failed: 30003; no fallback: it was sent by another journey (older-${journeyId})`,
      'reminder-1 (sms) failed: 30003; no fallback: this journey did not send reminder-1 by SMS',
    ]);
  });

  it('changes nothing for a failed SMS of a step without another channel (churn day 3)', async () => {
    const { customerId } = t.customer('churn');
    const entry = await t.event('churn.risk_scored', customerId, { score: 0.9 });
    await t.journeys.startOrSignal('churn-retention', entry);
    const sms = await afterSms(customerId, 'day-3', 'churn-retention');
    assert.equal(await signal('churn-retention', await failure(sms, entry.eventId)), true);

    assert.equal((await t.result('churn-retention', customerId, 8 * 24 * HOUR)).outcome, 'completed');
    assert.deepEqual(t.world.sentSteps(customerId), ['day-0:email', 'day-3:sms', 'day-7:email']);
    assert.ok(
      (await timeline('churn-retention', customerId)).includes(
        'day-3 (sms) failed: 30003; no fallback: day-3 has no other channel',
      ),
    );
  });

  it('falls back once for a duplicated failure report, however it is duplicated', async () => {
    const { customerId, journeyId } = await cartJourney('duplicate');
    const sms = await afterSms(customerId, 'reminder-2');
    const report = await failure(sms, journeyId);
    await signal('cart-abandonment', report);
    await signal('cart-abandonment', report); // redelivered
    await signal('cart-abandonment', await failure(sms, journeyId)); // reported again ("undelivered", then "failed")
    await t.until(
      'the fallback email',
      () => sendsOf(customerId, 'reminder-2', 'email').length,
      (n) => n > 0,
    );
    await signal('cart-abandonment', await failure(sms, journeyId)); // after the fallback went out

    assert.equal((await t.result('cart-abandonment', customerId, 100 * HOUR)).messagesSent, 4);
    assert.equal(sendsOf(customerId, 'reminder-2', 'email').length, 1);
    const attempts = t.world.callsOf(customerId, 'sendEmail').filter((call) => call.detail === 'reminder-2');
    assert.equal(attempts.length, 1, 'the fallback email was attempted once');
    const notes = (await timeline('cart-abandonment', customerId)).filter((text) => text.includes('failed: 30003'));
    assert.deepEqual(notes, [
      'reminder-2 (sms) failed: 30003; falling back to email',
      'reminder-2 (sms) failed: 30003; no fallback: reminder-2 already fell back',
      'reminder-2 (sms) failed: 30003; no fallback: reminder-2 already fell back',
    ]);
  });

  it('falls back when the failure is reported before the SMS send has even returned', async () => {
    const { customerId, journeyId } = await cartJourney('early-report');
    t.world.nextSend(customerId, 'sms', {
      kind: 'report-before-returning',
      report: async (sms) => {
        assert.equal(await signal('cart-abandonment', await failure(sms, journeyId)), true);
      },
    });
    await t.until(
      'the fallback email',
      async () => {
        if (!t.world.sentSteps(customerId).includes('reminder-2:sms')) await t.env.sleep(HOUR);
        return sendsOf(customerId, 'reminder-2', 'email').length;
      },
      (n) => n > 0,
    );
    assert.equal((await t.result('cart-abandonment', customerId, 100 * HOUR)).messagesSent, 4);
    assert.equal(sendsOf(customerId, 'reminder-2', 'email').length, 1);
    assert.ok(
      (await timeline('cart-abandonment', customerId)).includes(
        'reminder-2 (sms) failed: 30003; falling back to email',
      ),
    );
  });

  it('sends the fallback and the final reminder once each when the failure arrives as the final is due', async () => {
    // Two emails at one instant: the contact policy's cap (one a day) would hold back the second.
    t.world.operatorOverrides = { contact: { frequencyCap: 2 } };
    try {
      const { customerId, journeyId } = await cartJourney('tight');
      const sms = await afterSms(customerId, 'reminder-2');
      const smsSent = (await t.state('cart-abandonment', customerId)).timeline.find(
        (entry) => entry.kind === 'message' && entry.text.startsWith('cart reminder 2 by SMS'),
      )!;
      // The final's timer fires and the failure arrives with the worker stopped: the journey gets both in one task.
      await t.stopWorker();
      await t.skipTo(Date.parse(smsSent.at) + cartSettings().finalReminderDelayMs);
      assert.equal(await signal('cart-abandonment', await failure(sms, journeyId)), true);
      await t.startWorker();

      const result = await t.result('cart-abandonment', customerId, 100 * HOUR);
      assert.deepEqual([result.outcome, result.messagesSent], ['completed', 4]);
      assert.equal(sendsOf(customerId, 'reminder-2', 'email').length, 1);
      assert.equal(sendsOf(customerId, 'final', 'email').length, 1);
      assert.deepEqual(t.world.doubleSends(), []);
    } finally {
      t.world.operatorOverrides = {};
    }
  });

  it('notes a failure that arrives with the exit, and sends nothing more', async () => {
    const { customerId, journeyId } = await cartJourney('ended');
    const sms = await afterSms(customerId, 'reminder-2');
    await t.stopWorker();
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', customerId, { orderId: 'o' }));
    await signal('cart-abandonment', await failure(sms, journeyId));
    await t.startWorker();

    assert.equal((await t.result('cart-abandonment', customerId)).outcome, 'converted');
    assert.deepEqual(t.world.sentSteps(customerId), ['reminder-1:email', 'reminder-2:sms']);
    assert.ok(
      (await timeline('cart-abandonment', customerId)).includes(
        'reminder-2 (sms) failed: 30003; no fallback: the journey has ended',
      ),
    );
  });

  /** With RECORD_HISTORIES=1, writes the journey's history for test/workflows/replay.test.ts. */
  function recordHistoryIfAsked(name: string, campaign: CampaignType, customerId: string): void {
    if (process.env.RECORD_HISTORIES !== '1') return;
    const launcher = execFileSync('bash', ['infra/temporal-test-server.sh', 'path'], { encoding: 'utf8' }).trim();
    const json = execFileSync(
      join(launcher, '..', 'temporal'),
      [
        'workflow',
        'show',
        '--address',
        t.env.address,
        '--workflow-id',
        journeyWorkflowId(campaign, customerId),
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(join(__dirname, '..', 'fixtures', 'histories', `${name}.json`), json);
  }
});
