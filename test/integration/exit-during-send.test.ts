import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CustomerEvent } from '../../contract/events';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  deliver,
  SendCancelled,
  type DeliveryDependencies,
  type PolicyVerdict,
  type SendOutcome,
} from '../../activities/delivery';
import { ATTEMPT_STOPPED } from '../../contract/errors';
import { ApplicationFailure } from '@temporalio/common';
import { linkSettingsFrom } from '../../activities/link-tracking';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { createTwilioClient, smsSender } from '../../activities/sms';
import { createLogger } from '../../platform/logger';
import { JourneyClient } from '../../platform/temporal/journeys';
import type { JourneyResult } from '../../contract/journeys';
import { TwilioSandbox } from '../../tools/sandbox/twilio-sandbox';
import { SmtpFaultProxy } from '../../tools/sandbox/smtp-fault-proxy';
import { TestApp } from '../support/app';
import { messagesTo } from '../support/mailpit';
import { contactableCustomer } from '../support/customers';
import { eventually, sleep, stackEnv } from '../support/services';
import { resultWithin } from '../support/temporal';

/**
 * Issue 14, defect 1: an exit that arrives while a send is failing and being retried must cancel the
 * send before it reaches the provider, and a message that still goes out after the exit is never
 * credited with the conversion. The Twilio server is down (connections refused) when the SMS step
 * comes due; the order arrives while the send waits for its next attempt.
 */
describe('an exit while a send is being retried', () => {
  const twilio = new TwilioSandbox();
  let port = 0;
  let app: TestApp;
  let journeys: JourneyClient;
  const settings = {
    'churn-retention': { offerDelay: '2s', finalDelay: '1 day' },
    contact: { quietHours: { sms: null }, frequencyCap: 0 },
  };

  before(async () => {
    await twilio.start();
    port = Number(new URL(twilio.baseUrl).port);
    app = new TestApp(
      'exit-send',
      { ...twilio.env('+15005550006'), CAMPAIGN_SETTINGS: JSON.stringify(settings) },
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
  const event = (customerId: string, type: CustomerEvent['type'], properties: object): CustomerEvent =>
    ({
      eventId: `${type}-${customerId}`,
      type,
      customerId,
      occurredAt: new Date().toISOString(),
      properties,
    }) as CustomerEvent;
  const smsSettings = () => ({
    accountSid: twilio.env().TWILIO_ACCOUNT_SID!,
    authToken: twilio.env().TWILIO_AUTH_TOKEN!,
    from: '+15005550006',
    storeUrl: 'https://storefront.example',
  });
  /** The churn offer SMS as the journey asks for it, for driving `deliver` directly. */
  const offerSmsRequest = (customerId: string, key: string) => ({
    idempotencyKey: `test:${customerId}:${key}`,
    campaign: 'churn-retention',
    customerId,
    step: 'day-3',
    atMs: Date.now(),
    template: { id: 'churn-offer-sms' as const, incentiveCode: 'X' },
  });
  /** `deliver`'s dependencies on the real ledger, with no frequency cap and the contact policy's verdict given. */
  const deliveryDeps = (loggerName: string, verdict: PolicyVerdict): DeliveryDependencies => ({
    db: app.db,
    logger: createLogger(loggerName, 'warn'),
    reservationLeaseMs: 60_000,
    links: linkSettingsFrom(loadConfig(workerConfigSchema)),
    frequencyCap: () => Promise.resolve({ limit: 0, windowMs: 0 }),
    contactPolicy: () => Promise.resolve(verdict),
  });
  const ledgerRow = (idempotencyKey: string) =>
    app.db.selectFrom('deliveries').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
  const smsRow = (customerId: string) =>
    app.db
      .selectFrom('deliveries')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('step', '=', 'day-3')
      .executeTakeFirst();

  async function exitWhileProviderDown(exit: (customerId: string) => Promise<void>) {
    const { customerId, phone } = await customer('exit-send');
    await twilio.stop();
    let result: JourneyResult;
    try {
      await journeys.startOrSignal('churn-retention', event(customerId, 'churn.risk_scored', { score: 0.9 }));
      await eventually(
        'the SMS send to fail and wait for a retry',
        () => smsRow(customerId),
        (row) => row?.state === 'retrying',
        20_000,
      );
      await exit(customerId);
      // The journey must end without waiting for the provider: it is still down.
      result = (await Promise.race([
        app.client.workflow.getHandle(`churn-retention:${customerId}`).result(),
        sleep(15_000).then(() => 'still running' as const),
      ])) as JourneyResult;
    } finally {
      await twilio.start(port);
    }
    assert.notEqual(result, 'still running', 'the journey ended while the provider was down');
    // The provider is back: a send that was not cancelled would go out at its next attempt (≤ 4 s away).
    await sleep(6_000);
    assert.equal(twilio.to(phone).length, 0, 'no SMS after the exit');
    const row = await smsRow(customerId);
    assert.equal(row?.state, 'skipped', 'the ledger says the send will never be made');
    assert.match(row.reason ?? '', /cancelled before the provider was called/);
    return result;
  }

  it('an order cancels the pending SMS and credits the message before it', async () => {
    const result = await exitWhileProviderDown((customerId) =>
      journeys.startOrSignal('churn-retention', event(customerId, 'order.placed', { orderId: `o-${customerId}` })),
    );
    assert.equal(result.outcome, 'converted');
    assert.equal(result.attributedTo, 'day-0 (email)');
  });

  it("an operator's cancel cancels the pending SMS", async () => {
    const result = await exitWhileProviderDown(async (customerId) => {
      await journeys.cancel('churn-retention', customerId, 'discount code leaked');
    });
    assert.equal(result.outcome, 'cancelled');
  });

  it('a message already at the provider when the order arrives goes out once and is not credited', async () => {
    const { customerId, phone } = await customer('in-flight');
    twilio.delayNext(3_000);
    await journeys.startOrSignal('churn-retention', event(customerId, 'churn.risk_scored', { score: 0.9 }));
    await eventually(
      'the SMS request to reach the provider',
      () => smsRow(customerId),
      (row) => row?.state === 'sending',
      20_000,
    );
    await journeys.startOrSignal('churn-retention', event(customerId, 'order.placed', { orderId: `o-${customerId}` }));
    const result = await resultWithin(app.client, `churn-retention:${customerId}`);
    assert.equal(result.outcome, 'converted');
    assert.equal(twilio.to(phone).length, 1, 'the request in flight was answered once');
    assert.equal(result.messagesSent, 2, 'both messages went out');
    assert.equal(result.attributedTo, 'day-0 (email)', 'the SMS sent after the order is not credited with it');
  });

  it(
    'an attempt finds the policy changed (campaign paused, quiet hours) ' + 'and hands the send back to the journey',
    async () => {
      const { customerId, phone } = await customer('deferred');
      const calls: string[] = [];
      const sender = smsSender(smsSettings(), createTwilioClient({ ...smsSettings(), apiBaseUrl: twilio.baseUrl }));
      const counting = {
        ...sender,
        send: async (...args: Parameters<typeof sender.send>) => {
          calls.push(args[0]);
          return sender.send(...args);
        },
      };
      const request = offerSmsRequest(customerId, 'deferred');
      for (const verdict of [{ kind: 'paused' as const }, { kind: 'quiet_hours' as const, until: '08:00 UTC' }]) {
        const deps = deliveryDeps('deferred-test', verdict);
        const outcome: SendOutcome = await new MockActivityEnvironment().run(deliver, deps, counting, request);
        assert.equal(outcome.status, 'deferred', JSON.stringify(outcome));
      }
      assert.deepEqual(calls, [], 'the provider was never called');
      assert.equal(twilio.to(phone).length, 0);
      assert.equal(await ledgerRow(request.idempotencyKey), undefined, 'nothing was reserved');
    },
  );

  it(
    "a send stopped by its worker's shutdown before the provider took the message is released, " +
      'not skipped, and the next attempt sends it once',
    async () => {
      const { customerId, phone } = await customer('shutdown');
      const sender = smsSender(smsSettings(), createTwilioClient({ ...smsSettings(), apiBaseUrl: twilio.baseUrl }));
      // A provider call still connecting: told to stop, it gives up before any of the message is handed over.
      const connecting: typeof sender = {
        ...sender,
        send: (_address, _content, _messageId, _request, cancelled) =>
          new Promise<string>((_resolve, reject) => {
            cancelled.addEventListener('abort', () => reject(new SendCancelled()), { once: true });
          }),
      };
      const request = offerSmsRequest(customerId, 'shutdown');
      const deps = deliveryDeps('shutdown-test', { kind: 'go' });
      const env = new MockActivityEnvironment();
      const attempt = env.run(deliver, deps, connecting, request);
      await eventually(
        'the send to be reserved',
        () => ledgerRow(request.idempotencyKey),
        (row) => row?.state === 'sending',
        10_000,
      );
      env.cancel('WORKER_SHUTDOWN');
      await assert.rejects(attempt, (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure, `a retryable failure, not ${String(error)}`);
        assert.equal(error.type, ATTEMPT_STOPPED);
        assert.equal(error.nonRetryable, false);
        return true;
      });
      const released = await ledgerRow(request.idempotencyKey);
      assert.equal(released?.state, 'retrying', `released for the next attempt, not settled: ${released?.reason}`);
      const next: SendOutcome = await new MockActivityEnvironment().run(deliver, deps, sender, request);
      assert.equal(next.status, 'sent');
      assert.equal(twilio.to(phone).length, 1, 'sent once');
    },
  );
});

describe('an exit while an email waits for a silent SMTP server', () => {
  const upstream = new URL(stackEnv.smtp);
  const proxy = new SmtpFaultProxy({ host: upstream.hostname, port: Number(upstream.port) });
  let app: TestApp;
  let journeys: JourneyClient;

  before(async () => {
    await proxy.start();
    app = new TestApp(
      'exit-smtp',
      { SMTP_URL: proxy.url, CAMPAIGN_SETTINGS: JSON.stringify({ 'churn-retention': { offerDelay: '1 day' } }) },
      { inProcessBridge: false },
    );
    await app.start();
    journeys = app.journeyClient();
  });
  after(async () => {
    await app.stop();
    await proxy.stop();
  });

  it(
    'customers come back while their win-back emails wait for a silent server or for a pooled connection: ' +
      'none is sent',
    async () => {
      // Six at once: the pool's five connections hang waiting for a greeting, the sixth email waits in its queue.
      const customers = await Promise.all(Array.from({ length: 6 }, () => contactableCustomer(app.db, 'exit-smtp')));
      const rows = () =>
        app.db
          .selectFrom('deliveries')
          .selectAll()
          .where(
            'customer_id',
            'in',
            customers.map((c) => c.customerId),
          )
          .where('step', '=', 'day-0')
          .execute();
      await proxy.setMode('black-hole');
      try {
        await Promise.all(
          customers.map(({ customerId }) =>
            journeys.startOrSignal('churn-retention', {
              eventId: `score-${customerId}`,
              type: 'churn.risk_scored',
              customerId,
              occurredAt: new Date().toISOString(),
              properties: { score: 0.9 },
            }),
          ),
        );
        await eventually(
          'every email to be on its way to the silent server',
          rows,
          (found) => found.length === 6 && found.every((row) => row.state === 'sending'),
          20_000,
        );
        await Promise.all(
          customers.map(({ customerId }) =>
            journeys.signalIfRunning('churn-retention', {
              eventId: `session-${customerId}`,
              type: 'session.started',
              customerId,
              occurredAt: new Date().toISOString(),
              properties: {},
            }),
          ),
        );
        await sleep(2_500);
      } finally {
        // The server answers again well before the client's greeting timeout (5 s).
        await proxy.setMode('pass');
      }
      const results = await Promise.all(
        customers.map(({ customerId }) => resultWithin(app.client, `churn-retention:${customerId}`)),
      );
      assert.deepEqual(
        results.map((result) => result.outcome),
        customers.map(() => 'customer_returned'),
      );
      await sleep(5_000);
      const emails = (await Promise.all(customers.map(({ email }) => messagesTo(email)))).flat();
      assert.equal(emails.length, 0, 'no email after the customers came back');
      assert.ok(
        (await rows()).every((row) => row.state !== 'sent'),
        JSON.stringify((await rows()).map((row) => [row.state, row.reason])),
      );
    },
  );
});
