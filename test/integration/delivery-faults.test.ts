import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { register } from 'prom-client';
import { createActivities } from '../../activities';
import { AMBIGUOUS_REASON } from '../../platform/db/delivery-ledger';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { JourneyClient } from '../../platform/temporal/journeys';
import { smtpTransportOptions } from '../../activities/channel-settings';
import { activityDependencies } from '../../workers/build-worker';
import type { CustomerEvent } from '../../contract/events';
import { cancelJourneySignal, journeyStateQuery } from '../../contract/journeys';
import { TestApp } from '../support/app';
import { contactableCustomer } from '../support/customers';
import {
  TWILIO_SANDBOX_ACCOUNT_SID,
  TWILIO_SANDBOX_AUTH_TOKEN,
  TwilioSandbox,
} from '../../tools/sandbox/twilio-sandbox';
import { messagesTo } from '../support/mailpit';
import { SmtpFront } from '../support/smtp-front';
import { eventually, runId, sleep, stackEnv } from '../support/services';
import { freePort } from '../support/ports';

/** delivery_misconfigured_total for a channel and provider code, as the worker's registry has it. */
async function misconfiguredCount(channel: string, reason: string): Promise<number> {
  const metric = await register.getSingleMetric('delivery_misconfigured_total')?.get();
  return metric?.values.find((value) => value.labels.channel === channel && value.labels.reason === reason)?.value ?? 0;
}

/**
 * Faults injected into the real stack (Temporal dev server, PostgreSQL, Mailpit; the local
 * Twilio-compatible server for SMS). Each ends with exactly one message per idempotency key at the
 * provider, and the ledger saying what it knows.
 */
describe('idempotent delivery under faults', () => {
  const twilio = new TwilioSandbox();
  let app: TestApp;
  let journeys: JourneyClient;
  const settings = {
    'churn-retention': { offerDelay: '2s', finalDelay: '1 day' },
    contact: { quietHours: { sms: null } },
  };

  const twilioEnv = () => ({
    TWILIO_ACCOUNT_SID: TWILIO_SANDBOX_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TWILIO_SANDBOX_AUTH_TOKEN,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: twilio.baseUrl,
  });

  before(async () => {
    await twilio.start();
    app = new TestApp(
      'faults',
      { ...twilioEnv(), DELIVERY_LEASE: '60s', CAMPAIGN_SETTINGS: JSON.stringify(settings) },
      { inProcessBridge: false },
    );
    await app.start();
    journeys = app.journeyClient();
  });
  after(async () => {
    await app.stop();
    await twilio.stop();
  });

  const customer = (prefix: string) => contactableCustomer(app.db, prefix);

  const churnEvent = (customerId: string): CustomerEvent => ({
    eventId: `score-${customerId}`,
    type: 'churn.risk_scored',
    customerId,
    occurredAt: new Date().toISOString(),
    properties: { score: 0.9 },
  });
  const ledgerRow = async (customerId: string, step: string) =>
    app.db
      .selectFrom('deliveries')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('step', '=', step)
      .executeTakeFirst();

  it('sends one SMS when the provider answers 500 first and 201 on the retry', async () => {
    const { customerId, phone } = await customer('twilio500');
    twilio.failNext({ status: 500, code: 20500 });
    await journeys.startOrSignal('churn-retention', churnEvent(customerId));
    const row = await eventually(
      'the SMS to be confirmed',
      () => ledgerRow(customerId, 'day-3'),
      (found) => found?.state === 'sent',
      30_000,
    );
    assert.equal(twilio.to(phone).length, 1);
    assert.equal(row?.provider_message_id, twilio.to(phone)[0]!.sid);
    assert.equal(row?.attempts, 2, 'the failed attempt and the one that went through');
    await journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it(
    'holds an SMS while Twilio refuses our credentials (401), never failing it, ' + 'and sends it once they work',
    async () => {
      const { customerId, phone } = await customer('twilio401');
      const heldBefore = await misconfiguredCount('sms', '20003');
      twilio.refuseCredentials(true);
      try {
        await journeys.startOrSignal('churn-retention', churnEvent(customerId));
        const during = await eventually(
          'the SMS to be refused twice',
          () => ledgerRow(customerId, 'day-3'),
          (found) =>
            found?.state === 'failed' ||
            found?.state === 'sent' ||
            (found?.state === 'retrying' && found.attempts >= 2),
          30_000,
        );
        assert.equal(during?.state, 'retrying', `held for retry, not ${during?.state}: ${during?.reason}`);
        assert.match(during.reason ?? '', /held: our sms provider configuration is refused: Twilio 20003 \(HTTP 401\)/);
        assert.ok(
          (await misconfiguredCount('sms', '20003')) >= heldBefore + 2,
          'delivery_misconfigured_total counts each refused attempt',
        );
      } finally {
        twilio.refuseCredentials(false);
      }
      // Settled: neither waiting for its next attempt nor in the middle of one.
      const row = await eventually(
        'the SMS to be confirmed',
        () => ledgerRow(customerId, 'day-3'),
        (found) => found?.state !== 'retrying' && found?.state !== 'sending',
        90_000,
      );
      assert.equal(row?.state, 'sent', row?.reason ?? '');
      assert.equal(twilio.to(phone).length, 1);
      await journeys.cancel('churn-retention', customerId, 'test cleanup');
    },
  );

  it('confirms an SMS Twilio accepted before answering 502, by asking Twilio, and does not send it again', async () => {
    const { customerId, phone } = await customer('twilio502');
    twilio.acceptThenFailNext(502);
    await journeys.startOrSignal('churn-retention', churnEvent(customerId));
    const row = await eventually(
      'the SMS to be settled',
      () => ledgerRow(customerId, 'day-3'),
      (found) => found?.state === 'sent' || found?.state === 'unknown' || found?.state === 'failed',
      30_000,
    );
    await sleep(3_000); // a retry, if the 502 were taken as "not accepted", would be on its way by now (backoff 1 s)
    assert.equal(twilio.to(phone).length, 1, 'exactly one SMS at the provider');
    assert.equal(row?.state, 'sent', row?.reason ?? '');
    assert.equal(row?.provider_message_id, twilio.to(phone)[0]!.sid, 'the SID Twilio gave it, found by the look-up');
    assert.equal(row?.attempts, 1);
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
    const row = await eventually(
      'the email to be confirmed',
      () => ledgerRow(customerId, 'day-0'),
      (found) => found?.state === 'sent',
      60_000,
    );
    assert.equal((await messagesTo(email)).length, 1);
    assert.equal(row?.message_id, `<${(await messagesTo(email))[0]!.MessageID}>`);
    assert.ok(row.attempts > 1, `${row.attempts} attempts`);
    await journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it(
    'confirms, by asking Twilio, an SMS whose request timed out while the provider was slow, ' +
      'and does not resend it',
    async () => {
      const { customerId, phone } = await customer('slow');
      twilio.delayNext(12_000);
      await journeys.startOrSignal('churn-retention', churnEvent(customerId));
      const row = await eventually(
        'the timed-out SMS to be settled',
        () => ledgerRow(customerId, 'day-3'),
        (found) => found?.state === 'sent' || found?.state === 'unknown',
        45_000,
      );
      assert.equal(row?.state, 'sent', row?.reason ?? '');
      assert.equal(row?.provider_message_id, twilio.to(phone)[0]?.sid);
      await sleep(3_000);
      assert.equal(twilio.to(phone).length, 1, 'exactly one SMS, even though the first request timed out');
      await journeys.cancel('churn-retention', customerId, 'test cleanup');
    },
  );

  it('sends an SMS again after a 504 when Twilio, asked, has no such message', async () => {
    const { customerId, phone } = await customer('twilio504');
    twilio.failNext({ status: 504, code: 20504 });
    await journeys.startOrSignal('churn-retention', churnEvent(customerId));
    const row = await eventually(
      'the SMS to be settled',
      () => ledgerRow(customerId, 'day-3'),
      (found) => found?.state === 'sent' || found?.state === 'unknown' || found?.state === 'failed',
      45_000,
    );
    assert.equal(row?.state, 'sent', row?.reason ?? '');
    assert.equal(row?.attempts, 2, 'the ambiguous attempt, found absent, and the retry');
    assert.equal(twilio.to(phone).length, 1);
    await journeys.cancel('churn-retention', customerId, 'test cleanup');
  });

  it('sends once when two workers execute the same send concurrently', async () => {
    const { customerId, email } = await customer('twoworkers');
    const config = loadConfig(workerConfigSchema, { ...process.env, ...twilioEnv() });
    const mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, false));
    // A slow SMTP server keeps the first send in flight while the second execution arrives.
    const slowMailer = new Proxy(mailer, {
      get: (target, property): unknown =>
        property === 'sendMail'
          ? async (message: Parameters<typeof mailer.sendMail>[0]) => {
              await sleep(500);
              return target.sendMail(message);
            }
          : Reflect.get(target, property),
    });
    const workers = [1, 2].map((n) =>
      createActivities(
        activityDependencies(config, {
          db: app.db,
          mailer: slowMailer,
          temporal: app.client,
          logger: createLogger(`worker-${n}`, 'warn'),
        }),
      ),
    );
    const request = {
      idempotencyKey: `cart-abandonment:${customerId}:j1:reminder-1:email`,
      campaign: 'cart-abandonment',
      customerId,
      step: 'reminder-1',
      atMs: Date.now(),
      template: { id: 'cart-reminder' as const, items: [{ productId: 'p', name: 'Mug', quantity: 1, price: 5 }] },
    };
    const results = await Promise.allSettled(
      workers.map((activities) => new MockActivityEnvironment().run(activities.sendEmail, request)),
    );
    const sent = results.filter((result) => result.status === 'fulfilled');
    assert.equal(
      sent.length,
      1,
      JSON.stringify(results.map((result) => (result.status === 'rejected' ? String(result.reason) : result.value))),
    );
    const loser = results.find((result) => result.status === 'rejected');
    assert.match(String(loser?.reason), /Another execution is sending this message/);
    const retried = await new MockActivityEnvironment().run(workers[1]!.sendEmail, request);
    assert.deepEqual(retried, {
      status: 'sent',
      messageId: (sent[0] as PromiseFulfilledResult<{ messageId: string }>).value.messageId,
      firstDelivery: false,
    });
    assert.equal((await messagesTo(email)).length, 1);
    mailer.close();
  });
});

describe('the ambiguous window: a worker killed after SMTP accepted, before it confirmed', () => {
  const app = new TestApp(
    'crash',
    { DELIVERY_LEASE: '60s', CAMPAIGN_SETTINGS: JSON.stringify({ 'churn-retention': { offerDelay: '1 day' } }) },
    { inProcessBridge: false, inProcessWorker: false },
  );
  before(async () => {
    await app.start();
  });
  after(async () => {
    await app.stop();
  });

  function spawnWorker(script: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...app.bridgeEnv, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    return { child, exited, output: () => output };
  }

  it('never sends twice: the retry finds the unconfirmed send, records it as unknown and moves on', async () => {
    const customerId = `crash-${runId}`;
    const email = `${customerId}@example.test`;
    await applyCustomerUpdated(app.db, {
      eventId: `p-${customerId}`,
      type: 'customer.updated',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: { email, emailOptIn: true },
    });

    const crashing = spawnWorker('test/support/crashing-worker.ts');
    await app.journeyClient().startOrSignal('churn-retention', {
      eventId: `score-${customerId}`,
      type: 'churn.risk_scored',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: { score: 0.9 },
    });
    assert.equal(await crashing.exited, 'SIGKILL', crashing.output().slice(-1000));
    assert.match(crashing.output(), /SMTP accepted the message/);
    assert.equal((await messagesTo(email)).length, 1);

    const healthy = spawnWorker('workers/main.ts');
    try {
      const row = await eventually(
        'the retry to settle the send',
        () =>
          app.db
            .selectFrom('deliveries')
            .selectAll()
            .where('customer_id', '=', customerId)
            .where('step', '=', 'day-0')
            .executeTakeFirst(),
        (found) => found?.state === 'unknown',
        120_000,
      );
      assert.equal(row?.reason, AMBIGUOUS_REASON);
      const state = await app.client.workflow.getHandle(`churn-retention:${customerId}`).query(journeyStateQuery);
      assert.equal(state.stage, 'waiting_for_sms_offer', 'the journey went on to its next step');
      await sleep(3_000);
      assert.equal((await messagesTo(email)).length, 1, 'exactly one email for the key');
      await app.client.workflow
        .getHandle(`churn-retention:${customerId}`)
        .signal(cancelJourneySignal, { reason: 'test cleanup' });
    } finally {
      healthy.child.kill('SIGTERM');
      await healthy.exited;
    }
  });
});

/**
 * SMTP faults through a TCP front the test controls (test/support/smtp-front.ts): the worker's
 * SMTP_URL, with credentials, points at it; behind it a black hole, a greylisting server, a second
 * Mailpit that refuses our credentials, or the stack's Mailpit.
 */
describe('SMTP provider incidents', () => {
  const front = new SmtpFront();
  const strictMailpit = { process: null as ChildProcess | null, smtpPort: 0 };
  let app: TestApp;
  let journeys: JourneyClient;
  let counter = 0;
  const sharedMailpitPort = Number(new URL(stackEnv.smtp).port || 25);

  before(async () => {
    const frontPort = await front.start();
    strictMailpit.smtpPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'strict-mailpit-'));
    writeFileSync(join(dir, 'auth'), 'campaigns:the-old-password\n');
    strictMailpit.process = spawn(
      join(process.env.CAMPAIGNS_HOME ?? join(homedir(), '.cache', 'triggered-campaigns'), 'bin', 'mailpit'),
      [
        '-q',
        '-d',
        join(dir, 'mailpit.db'),
        '-s',
        `127.0.0.1:${strictMailpit.smtpPort}`,
        '-l',
        `127.0.0.1:${await freePort()}`,
        '--smtp-auth-file',
        join(dir, 'auth'),
        '--smtp-auth-allow-insecure',
        '--disable-version-check',
      ],
      { stdio: 'ignore' },
    );
    await eventually(
      'the second Mailpit to listen',
      () => portOpen(strictMailpit.smtpPort),
      (open) => open,
      15_000,
    );
    app = new TestApp(
      'smtp-incidents',
      {
        SMTP_URL: `smtp://campaigns:the-new-password@127.0.0.1:${frontPort}`,
        CAMPAIGN_SETTINGS: JSON.stringify({ 'churn-retention': { offerDelay: '1 day' } }),
      },
      { inProcessBridge: false },
    );
    await app.start();
    journeys = app.journeyClient();
  });
  after(async () => {
    await app.stop();
    await front.stop();
    strictMailpit.process?.kill('SIGTERM');
  });

  async function customer(prefix: string) {
    counter += 1;
    const customerId = `${prefix}-${counter}-${runId}`;
    const email = `${customerId}@example.test`;
    await applyCustomerUpdated(app.db, {
      eventId: `profile-${customerId}`,
      type: 'customer.updated',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: { email, emailOptIn: true },
    });
    await journeys.startOrSignal('churn-retention', {
      eventId: `score-${customerId}`,
      type: 'churn.risk_scored',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: { score: 0.9 },
    });
    return { customerId, email };
  }
  const ledgerRow = async (customerId: string) =>
    app.db
      .selectFrom('deliveries')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('step', '=', 'day-0')
      .executeTakeFirst();
  const settledOrRetried = (times: number) => (row: Awaited<ReturnType<typeof ledgerRow>>) =>
    row !== undefined &&
    (['sent', 'failed', 'unknown', 'skipped'].includes(row.state) ||
      (row.state === 'retrying' && row.attempts >= times));

  it(
    'retries an email whose server accepted the connection and never greeted, ' +
      'and sends it once when a server answers',
    async () => {
      front.become({ kind: 'black_hole' });
      const { customerId, email } = await customer('blackhole');
      const during = await eventually(
        'two attempts to time out on the greeting',
        () => ledgerRow(customerId),
        settledOrRetried(2),
        40_000,
      );
      assert.equal(
        during?.state,
        'retrying',
        `no connection ever carried the message, so it is retried, not ${during?.state}: ${during?.reason}`,
      );
      assert.match(during.reason ?? '', /GREETING_TIMEOUT/);
      front.become({ kind: 'pipe', port: sharedMailpitPort });
      const row = await eventually(
        'the email to be settled',
        () => ledgerRow(customerId),
        (found) => found?.state !== 'retrying' && found?.state !== 'sending',
        90_000,
      );
      assert.equal(row?.state, 'sent', row?.reason ?? '');
      assert.equal((await messagesTo(email)).length, 1);
      await journeys.cancel('churn-retention', customerId, 'test cleanup');
    },
  );

  it(
    'holds an email while the SMTP server refuses our credentials (535), never failing it, ' +
      'and sends it once when they work',
    async () => {
      front.become({ kind: 'pipe', port: strictMailpit.smtpPort });
      const { customerId, email } = await customer('smtpauth');
      const heldBefore = await misconfiguredCount('email', '535');
      const during = await eventually(
        'the email to be refused twice',
        () => ledgerRow(customerId),
        settledOrRetried(2),
        30_000,
      );
      assert.equal(
        during?.state,
        'retrying',
        `held for retry, never blamed on the recipient, not ${during?.state}: ${during?.reason}`,
      );
      assert.match(
        during.reason ?? '',
        /held: our email provider configuration is refused: SMTP authentication failed \(535\)/,
      );
      assert.ok(
        (await misconfiguredCount('email', '535')) >= heldBefore + 2,
        'delivery_misconfigured_total counts each refused attempt',
      );
      front.become({ kind: 'pipe', port: sharedMailpitPort }); // the operator fixed the credentials
      const row = await eventually(
        'the email to be settled',
        () => ledgerRow(customerId),
        (found) => found?.state !== 'retrying' && found?.state !== 'sending',
        90_000,
      );
      assert.equal(row?.state, 'sent', row?.reason ?? '');
      assert.equal((await messagesTo(email)).length, 1);
      await journeys.cancel('churn-retention', customerId, 'test cleanup');
    },
  );

  it("keeps the address a 4xx reply quotes out of the ledger and out of Temporal's failure", async () => {
    front.become({ kind: 'greylist' });
    const { customerId, email } = await customer('greylisted');
    const during = await eventually(
      'the greylisted email to be retried',
      () => ledgerRow(customerId),
      settledOrRetried(2),
      30_000,
    );
    assert.equal(during?.state, 'retrying', during?.reason ?? '');
    assert.match(during.reason ?? '', /450/);
    const history = await app.client.workflow.getHandle(`churn-retention:${customerId}`).fetchHistory();
    const pending = await app.client.workflow.getHandle(`churn-retention:${customerId}`).describe();
    const failures = [
      ...(history.events ?? []).map((event) => event.activityTaskFailedEventAttributes?.failure?.message),
      ...(pending.raw.pendingActivities ?? []).map((activity) => activity.lastFailure?.message),
    ].filter((message): message is string => typeof message === 'string');
    assert.ok(
      failures.some((message) => /450/.test(message)),
      `Temporal saw the failure: ${JSON.stringify(failures)}`,
    );
    for (const text of [during.reason ?? '', ...failures])
      assert.ok(!text.includes(email), `unmasked address in: ${text}`);
    front.become({ kind: 'pipe', port: sharedMailpitPort });
    const row = await eventually(
      'the email to be settled',
      () => ledgerRow(customerId),
      (found) => found?.state !== 'retrying' && found?.state !== 'sending',
      90_000,
    );
    assert.equal(row?.state, 'sent', row?.reason ?? '');
    await journeys.cancel('churn-retention', customerId, 'test cleanup');
  });
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
