import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { createActivities } from '../../activities';
import { AMBIGUOUS_REASON } from '../../db/delivery-ledger';
import { applyCustomerUpdated } from '../../db/profiles';
import { loadConfig, workerConfigSchema } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { JourneyClient } from '../../temporal/journeys';
import { smtpTransportOptions } from '../../activities/channel-settings';
import { activityDependencies } from '../../workers/build-worker';
import type { CustomerEvent } from '../../contract/events';
import { cancelJourneySignal, journeyStateQuery } from '../../workflows/definitions';
import { TestApp } from '../support/app';
import { TWILIO_SANDBOX_ACCOUNT_SID, TWILIO_SANDBOX_AUTH_TOKEN, TwilioSandbox } from '../../sandbox/twilio-sandbox';
import { messagesTo } from '../support/mailpit';
import { eventually, runId, sleep } from '../support/services';

/**
 * Faults injected into the real stack (Temporal dev server, PostgreSQL, Mailpit; the local
 * Twilio-compatible server for SMS). Each ends with exactly one message per idempotency key at the
 * provider, and the ledger saying what it knows.
 */
describe('idempotent delivery under faults', () => {
  const twilio = new TwilioSandbox();
  let app: TestApp;
  let journeys: JourneyClient;
  let counter = 0;
  const settings = { 'churn-retention': { offerDelay: '2s', finalDelay: '1 day' }, contact: { quietHours: { sms: null } } };

  const twilioEnv = () => ({
    TWILIO_ACCOUNT_SID: TWILIO_SANDBOX_ACCOUNT_SID, TWILIO_AUTH_TOKEN: TWILIO_SANDBOX_AUTH_TOKEN, TWILIO_FROM: '+15005550006', TWILIO_API_BASE_URL: twilio.baseUrl,
  });

  before(async () => {
    await twilio.start();
    app = new TestApp('faults', { ...twilioEnv(), DELIVERY_LEASE: '60s', CAMPAIGN_SETTINGS: JSON.stringify(settings) }, { inProcessBridge: false });
    await app.start();
    journeys = new JourneyClient(app.client, app.taskQueue);
  });
  after(async () => {
    await app.stop();
    await twilio.stop();
  });

  async function customer(prefix: string) {
    counter += 1;
    const customerId = `${prefix}-${counter}-${runId}`;
    const email = `${customerId}@example.test`;
    const phone = `+1555${String(Date.now() % 100000).padStart(5, '0')}${String(counter).padStart(2, '0')}`;
    await applyCustomerUpdated(app.db, {
      eventId: `profile-${customerId}`, type: 'customer.updated', customerId, occurredAt: new Date().toISOString(),
      properties: { email, phone, emailOptIn: true, smsOptIn: true },
    });
    return { customerId, email, phone };
  }

  const churnEvent = (customerId: string): CustomerEvent => ({
    eventId: `score-${customerId}`, type: 'churn.risk_scored', customerId, occurredAt: new Date().toISOString(), properties: { score: 0.9 },
  });
  const ledgerRow = async (customerId: string, step: string) =>
    app.db.selectFrom('deliveries').selectAll().where('customer_id', '=', customerId).where('step', '=', step).executeTakeFirst();

  it('sends one SMS when the provider answers 500 first and 201 on the retry', async () => {
    const { customerId, phone } = await customer('twilio500');
    twilio.failNext({ status: 500, code: 20500 });
    await journeys.startOrSignal('churn-retention', churnEvent(customerId));
    const row = await eventually('the SMS to be confirmed', () => ledgerRow(customerId, 'day-3'), (found) => found?.state === 'sent', 30_000);
    assert.equal(twilio.to(phone).length, 1);
    assert.equal(row?.provider_message_id, twilio.to(phone)[0]!.sid);
    assert.equal(row?.attempts, 2, 'the failed attempt and the one that went through');
    await journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it('sends one email when the SMTP server is down for 20 s and comes back', async () => {
    const { customerId, email } = await customer('smtpdown');
    execFileSync('bash', ['infra/mailpit.sh', 'stop'], { stdio: 'inherit' });
    try {
      await journeys.startOrSignal('churn-retention', churnEvent(customerId));
      await sleep(20_000);
      const during = await ledgerRow(customerId, 'day-0');
      assert.notEqual(during?.state, 'sent', 'nothing can be sent while SMTP is down');
    } finally {
      execFileSync('bash', ['infra/mailpit.sh', 'start'], { stdio: 'inherit' });
    }
    const row = await eventually('the email to be confirmed', () => ledgerRow(customerId, 'day-0'), (found) => found?.state === 'sent', 60_000);
    assert.equal((await messagesTo(email)).length, 1);
    assert.equal(row?.message_id, `<${(await messagesTo(email))[0]!.MessageID}>`);
    assert.ok(row.attempts > 1, `${row.attempts} attempts`);
    await journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it('does not resend an SMS whose request timed out while the provider was slow', async () => {
    const { customerId, phone } = await customer('slow');
    twilio.delayNext(12_000);
    await journeys.startOrSignal('churn-retention', churnEvent(customerId));
    const row = await eventually('the timed-out SMS to be settled', () => ledgerRow(customerId, 'day-3'), (found) => found?.state === 'unknown', 45_000);
    assert.match(row!.reason!, /ambiguous/);
    await eventually('the slow provider to accept it', () => Promise.resolve(twilio.to(phone).length), (count) => count === 1, 20_000);
    await sleep(8_000);
    assert.equal(twilio.to(phone).length, 1, 'exactly one SMS, even though the first request timed out');
    await journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it('sends once when two workers execute the same send concurrently', async () => {
    const { customerId, email } = await customer('twoworkers');
    const config = loadConfig(workerConfigSchema, { ...process.env, ...twilioEnv() });
    const mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, false));
    // A slow SMTP server keeps the first send in flight while the second execution arrives.
    const slowMailer = new Proxy(mailer, {
      get: (target, property): unknown => (property === 'sendMail'
        ? async (message: Parameters<typeof mailer.sendMail>[0]) => { await sleep(500); return target.sendMail(message); }
        : Reflect.get(target, property)),
    });
    const workers = [1, 2].map((n) => createActivities(activityDependencies(config, { db: app.db, mailer: slowMailer, temporal: app.client, logger: createLogger(`worker-${n}`, 'warn') })));
    const request = {
      idempotencyKey: `cart-abandonment:${customerId}:j1:reminder-1:email`, campaign: 'cart-abandonment', customerId, step: 'reminder-1',
      atMs: Date.now(), template: { id: 'cart-reminder' as const, items: [{ productId: 'p', name: 'Mug', quantity: 1, price: 5 }] },
    };
    const results = await Promise.allSettled(workers.map((activities) => new MockActivityEnvironment().run(activities.sendEmail, request)));
    const sent = results.filter((result) => result.status === 'fulfilled');
    assert.equal(sent.length, 1, JSON.stringify(results.map((result) => result.status === 'rejected' ? String(result.reason) : result.value)));
    const loser = results.find((result) => result.status === 'rejected');
    assert.match(String(loser?.reason), /Another execution is sending this message/);
    const retried = await new MockActivityEnvironment().run(workers[1]!.sendEmail, request);
    assert.deepEqual(retried, { status: 'sent', messageId: (sent[0] as PromiseFulfilledResult<{ messageId: string }>).value.messageId, firstDelivery: false });
    assert.equal((await messagesTo(email)).length, 1);
    mailer.close();
  });
});

describe('the ambiguous window: a worker killed after SMTP accepted, before it confirmed', () => {
  const app = new TestApp('crash', { DELIVERY_LEASE: '60s', CAMPAIGN_SETTINGS: JSON.stringify({ 'churn-retention': { offerDelay: '1 day' } }) }, { inProcessBridge: false, inProcessWorker: false });
  before(async () => { await app.start(); });
  after(async () => { await app.stop(); });

  function spawnWorker(script: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...app.bridgeEnv, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    return { child, exited, output: () => output };
  }

  it('never sends twice: the retry finds the unconfirmed send, records it as unknown and moves on', async () => {
    const customerId = `crash-${runId}`;
    const email = `${customerId}@example.test`;
    await applyCustomerUpdated(app.db, { eventId: `p-${customerId}`, type: 'customer.updated', customerId, occurredAt: new Date().toISOString(), properties: { email, emailOptIn: true } });

    const crashing = spawnWorker('test/support/crashing-worker.ts');
    await new JourneyClient(app.client, app.taskQueue).startOrSignal('churn-retention', {
      eventId: `score-${customerId}`, type: 'churn.risk_scored', customerId, occurredAt: new Date().toISOString(), properties: { score: 0.9 },
    });
    assert.equal(await crashing.exited, 'SIGKILL', crashing.output().slice(-1000));
    assert.match(crashing.output(), /SMTP accepted the message/);
    assert.equal((await messagesTo(email)).length, 1);

    const healthy = spawnWorker('entrypoints/worker.ts');
    try {
      const row = await eventually('the retry to settle the send', () =>
        app.db.selectFrom('deliveries').selectAll().where('customer_id', '=', customerId).where('step', '=', 'day-0').executeTakeFirst(),
      (found) => found?.state === 'unknown', 120_000);
      assert.equal(row?.reason, AMBIGUOUS_REASON);
      const state = await app.client.workflow.getHandle(`churn-retention:${customerId}`).query(journeyStateQuery);
      assert.equal(state.stage, 'waiting_for_sms_offer', 'the journey went on to its next step');
      await sleep(3_000);
      assert.equal((await messagesTo(email)).length, 1, 'exactly one email for the key');
      await app.client.workflow.getHandle(`churn-retention:${customerId}`).signal(cancelJourneySignal, { reason: 'test cleanup' });
    } finally {
      healthy.child.kill('SIGTERM');
      await healthy.exited;
    }
  });
});
