import assert from 'node:assert/strict';
import { generateKeyPairSync, randomInt, sign, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { createTwilioClient, smsSender, type SmsSettings } from '../../activities/sms';
import { messageIdFor } from '../../activities/email';
import type { CustomerEvent } from '../../contract/events';
import { deliveryKey } from '../../contract/journeys';
import { SENDGRID_EVENTS_PATH, TWILIO_INBOUND_PATH, twilioStatusCallbackUrl } from '../../contract/provider-webhooks';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import { confirmSent, reserveDelivery, type DeliveryKey } from '../../platform/db/delivery-ledger';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import { createLogger } from '../../platform/logger';
import { createTrackingApp } from '../../tracking/app';
import type { TrackingDependencies } from '../../tracking/dependencies';
import {
  TWILIO_SANDBOX_ACCOUNT_SID,
  TWILIO_SANDBOX_AUTH_TOKEN,
  TwilioSandbox,
} from '../../tools/sandbox/twilio-sandbox';
import { requireServices, runId, stackEnv } from '../support/services';

const AUTH_TOKEN = TWILIO_SANDBOX_AUTH_TOKEN;
const MAX_AGE_MS = 10 * 60_000;

/** The tracking service's provider webhooks against the real PostgreSQL ledger, with a recording publish. */
describe('provider webhooks (tracking service)', () => {
  let db: Db;
  let server: Server;
  let sendgridKey: KeyObject;
  const published: CustomerEvent[] = [];
  let publishFails = false;
  const deps: TrackingDependencies = {
    db: undefined as unknown as Db,
    logger: createLogger('provider-webhooks-test', 'silent'),
    publish: (event) => {
      if (publishFails) return Promise.reject(new Error('Kafka is unavailable'));
      published.push(event);
      return Promise.resolve();
    },
    signingKeys: [{ kid: 't1', secret: 'x'.repeat(32), acceptedUntilMs: undefined }],
    publicUrl: '',
    now: () => Date.now(),
    twilioAuthToken: AUTH_TOKEN,
  };
  let counter = 0;
  const unique = () => `${runId}-${(counter += 1)}`;
  const phone = () => `+1555${String(randomInt(1_000_000, 9_999_999))}`;
  const twilioSid = () => `SM${Buffer.from(unique().padEnd(16, '0').slice(-16)).toString('hex')}`;

  /** A message of ours on the ledger, reserved and confirmed as the delivery activity does. */
  async function sentMessage(channel: 'sms' | 'email', providerMessageId: string) {
    const customerId = `webhooks-${unique()}`;
    const journeyId = `journey-${unique()}`;
    const key: DeliveryKey = {
      idempotencyKey: deliveryKey('cart-abandonment', customerId, journeyId, 'reminder-1', channel),
      campaign: 'cart-abandonment',
      customerId,
      step: 'reminder-1',
      channel,
    };
    const messageId = channel === 'email' ? messageIdFor(key.idempotencyKey, 'campaigns.test') : `sms-${unique()}`;
    await reserveDelivery(db, key, messageId, {
      leaseMs: 60_000,
      contactAtMs: Date.now(),
      cap: { limit: 0, windowMs: 0 },
      address: channel === 'email' ? `${customerId}@example.test` : phone(),
    });
    await confirmSent(db, key.idempotencyKey, providerMessageId);
    return { customerId, journeyId, messageId, key };
  }

  const url = (path: string) => `${deps.publicUrl}${path}`;
  const eventsOf = (messageId: string) =>
    published.filter((event) => 'messageId' in event.properties && event.properties.messageId === messageId);

  async function postTwilio(path: string, params: Record<string, string>, signature?: string) {
    return fetch(url(path), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? twilio.getExpectedTwilioSignature(AUTH_TOKEN, url(path), params),
      },
      body: new URLSearchParams(params).toString(),
    });
  }
  const statusPath = (messageId: string) =>
    new URL(twilioStatusCallbackUrl('http://x', messageId)).pathname +
    new URL(twilioStatusCallbackUrl('http://x', messageId)).search;

  async function postSendgrid(events: object[], options: { ageMs?: number; tamper?: boolean } = {}) {
    const body = JSON.stringify(events);
    const timestamp = String(Math.floor((Date.now() - (options.ageMs ?? 0)) / 1000));
    const signature = sign('sha256', Buffer.from(timestamp + body), sendgridKey).toString('base64');
    return fetch(url(SENDGRID_EVENTS_PATH), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-Twilio-Email-Event-Webhook-Signature': signature,
        'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
      },
      body: options.tamper ? body.replace('bounce', 'delivered') : body,
    });
  }

  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 4);
    await migrateToLatest(db);
    deps.db = db;
    const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    sendgridKey = keys.privateKey;
    deps.sendgrid = {
      publicKey: keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
      maxAgeMs: MAX_AGE_MS,
    };
    const app = createTrackingApp(deps, { rateLimitPerMinute: 10_000, trustedProxies: 0 });
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    deps.publicUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.destroy();
  });

  describe('Twilio status callbacks', () => {
    const callback = (sid: string, status: string, to: string, extra: Record<string, string> = {}) => ({
      AccountSid: TWILIO_SANDBOX_ACCOUNT_SID,
      MessageSid: sid,
      MessageStatus: status,
      To: to,
      From: '+15550000000',
      ...extra,
    });

    it('publishes one message.delivered for a signed "delivered", and nothing for "sent"', async () => {
      const sid = twilioSid();
      const ours = await sentMessage('sms', sid);
      const to = phone();
      assert.equal((await postTwilio(statusPath(ours.messageId), callback(sid, 'sent', to))).status, 204);
      assert.equal((await postTwilio(statusPath(ours.messageId), callback(sid, 'delivered', to))).status, 204);
      const events = eventsOf(ours.messageId);
      assert.deepEqual(
        events.map((event) => [event.type, event.customerId, event.eventId]),
        [['message.delivered', ours.customerId, `twilio:${sid}:delivered`]],
      );
      assert.equal((events[0]!.properties as { journeyId: string }).journeyId, ours.journeyId);
    });

    it('refuses a bad or missing signature with 403 and publishes nothing', async () => {
      const sid = twilioSid();
      const ours = await sentMessage('sms', sid);
      const params = callback(sid, 'delivered', phone());
      const forged = twilio.getExpectedTwilioSignature('some-other-token', url(statusPath(ours.messageId)), params);
      assert.equal((await postTwilio(statusPath(ours.messageId), params, forged)).status, 403);
      const otherMessage = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url(statusPath('sms-someone-else')), params);
      assert.equal((await postTwilio(statusPath(ours.messageId), params, otherMessage)).status, 403);
      const unsigned = await fetch(url(statusPath(ours.messageId)), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
      });
      assert.equal(unsigned.status, 403);
      assert.deepEqual(eventsOf(ours.messageId), []);
    });

    it('publishes message.failed with the error code for "undelivered", found by the SID alone', async () => {
      const sid = twilioSid();
      const ours = await sentMessage('sms', sid);
      const to = phone();
      const response = await postTwilio(
        '/webhooks/twilio/status',
        callback(sid, 'undelivered', to, { ErrorCode: '30003' }),
      );
      assert.equal(response.status, 204);
      const [event] = eventsOf(ours.messageId);
      assert.equal(event?.type, 'message.failed');
      assert.deepEqual(
        [event.properties.errorCode, event.properties.address, event.properties.providerMessageId],
        ['30003', to, sid],
      );
    });

    it('gives a repeated callback the same event ID, and answers 503 when it cannot publish', async () => {
      const sid = twilioSid();
      const ours = await sentMessage('sms', sid);
      const params = callback(sid, 'delivered', phone());
      publishFails = true;
      try {
        assert.equal((await postTwilio(statusPath(ours.messageId), params)).status, 503);
      } finally {
        publishFails = false;
      }
      assert.equal((await postTwilio(statusPath(ours.messageId), params)).status, 204);
      assert.equal((await postTwilio(statusPath(ours.messageId), params)).status, 204);
      const ids = eventsOf(ours.messageId).map((event) => event.eventId);
      assert.equal(ids.length, 2);
      assert.equal(new Set(ids).size, 1);
    });

    it('answers 200 and publishes nothing for a message unknown to the ledger; 400 for a malformed one', async () => {
      const before = published.length;
      const unknown = await postTwilio(
        statusPath(`sms-unknown-${unique()}`),
        callback(twilioSid(), 'delivered', phone()),
      );
      assert.equal(unknown.status, 200);
      const malformed = await postTwilio(statusPath('sms-x'), { MessageStatus: 'delivered' });
      assert.equal(malformed.status, 400);
      assert.equal(published.length, before);
    });
  });

  describe('Twilio inbound messages', () => {
    const inbound = (from: string, body: string) => ({
      AccountSid: TWILIO_SANDBOX_ACCOUNT_SID,
      MessageSid: twilioSid(),
      From: from,
      To: '+15550000000',
      Body: body,
    });

    it('unsubscribes from SMS every customer with the number that replied STOP', async () => {
      const number = phone();
      const customers = [`stop-${unique()}`, `stop-${unique()}`];
      for (const customerId of customers)
        await applyCustomerUpdated(db, {
          eventId: `profile-${unique()}`,
          type: 'customer.updated',
          customerId,
          occurredAt: new Date().toISOString(),
          properties: { phone: number, smsOptIn: true },
        });
      const params = inbound(number, ' stop ');
      const response = await postTwilio(TWILIO_INBOUND_PATH, params);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /xml/);
      assert.match(await response.text(), /<Response\/>/);
      const events = published.filter((event) => customers.includes(event.customerId));
      assert.deepEqual(
        events.map((event) => [event.type, event.customerId, event.properties]).sort(),
        customers.map((customerId) => ['customer.unsubscribed', customerId, { channel: 'sms', source: 'sms_stop' }]),
      );
      assert.deepEqual(
        events.map((event) => event.eventId).sort(),
        customers.map((customerId) => `twilio-inbound:${params.MessageSid}:${customerId}`),
      );
    });

    it('publishes nothing for other replies, unknown numbers or a bad signature', async () => {
      const number = phone();
      const customerId = `reply-${unique()}`;
      await applyCustomerUpdated(db, {
        eventId: `profile-${unique()}`,
        type: 'customer.updated',
        customerId,
        occurredAt: new Date().toISOString(),
        properties: { phone: number },
      });
      const before = published.length;
      assert.equal((await postTwilio(TWILIO_INBOUND_PATH, inbound(number, 'Thanks!'))).status, 200);
      assert.equal((await postTwilio(TWILIO_INBOUND_PATH, inbound(phone(), 'STOP'))).status, 200);
      assert.equal(
        (await postTwilio(TWILIO_INBOUND_PATH, inbound(number, 'STOP'), 'bm90LWEtc2lnbmF0dXJl')).status,
        403,
      );
      assert.equal(published.length, before);
    });
  });

  describe('SendGrid signed events', () => {
    const sgEvent = (messageId: string, event: string, extra: object = {}) => ({
      email: 'shopper@example.com',
      timestamp: Math.floor(Date.now() / 1000),
      'smtp-id': messageId,
      event,
      sg_event_id: `sg-${unique()}`,
      sg_message_id: `sg-msg-${unique()}`,
      ...extra,
    });

    it('publishes a hard bounce with the address and a complaint, ignoring opens and strangers', async () => {
      const ours = await sentMessage('email', `<provider-${unique()}@x>`);
      const bounce = sgEvent(ours.messageId, 'bounce', { type: 'bounce', reason: '550 5.1.1 unknown user' });
      const complaint = sgEvent(ours.messageId, 'spamreport');
      const batch = [bounce, complaint, sgEvent(ours.messageId, 'open'), sgEvent('<nobody@x>', 'bounce')];
      assert.equal((await postSendgrid(batch)).status, 200);
      const events = eventsOf(ours.messageId);
      assert.deepEqual(
        events.map((event) => [event.type, event.eventId, (event.properties as { address?: string }).address]),
        [
          ['message.bounced', `sendgrid:${bounce.sg_event_id}`, 'shopper@example.com'],
          ['message.complained', `sendgrid:${complaint.sg_event_id}`, 'shopper@example.com'],
        ],
      );
      assert.equal((events[0]!.properties as { bounceType?: string }).bounceType, 'hard');
    });

    it('refuses a tampered body and a stale timestamp with 403, and malformed JSON with 400', async () => {
      const ours = await sentMessage('email', `<provider-${unique()}@x>`);
      const batch = [sgEvent(ours.messageId, 'bounce')];
      assert.equal((await postSendgrid(batch, { tamper: true })).status, 403);
      assert.equal((await postSendgrid(batch, { ageMs: MAX_AGE_MS + 60_000 })).status, 403);
      assert.equal((await postSendgrid({ not: 'an array' } as unknown as object[])).status, 400);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const notJson = await fetch(url(SENDGRID_EVENTS_PATH), {
        method: 'POST',
        headers: {
          'X-Twilio-Email-Event-Webhook-Signature': sign('sha256', Buffer.from(`${timestamp}[{`), sendgridKey).toString(
            'base64',
          ),
          'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
        },
        body: '[{',
      });
      assert.equal(notJson.status, 400);
      assert.deepEqual(eventsOf(ours.messageId), []);
    });
  });

  it('accepts the signed status callbacks the Twilio sandbox posts for an SMS the activity sent', async () => {
    const sandbox = new TwilioSandbox();
    await sandbox.start();
    try {
      const settings: SmsSettings = {
        ...{ accountSid: TWILIO_SANDBOX_ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15550000000' },
        apiBaseUrl: sandbox.baseUrl,
        storeUrl: 'https://storefront.example',
        trackingPublicUrl: deps.publicUrl,
      };
      const sender = smsSender(settings, createTwilioClient(settings));
      const customerId = `sandbox-${unique()}`;
      const key: DeliveryKey = {
        idempotencyKey: deliveryKey('cart-abandonment', customerId, `journey-${unique()}`, 'reminder-1', 'sms'),
        campaign: 'cart-abandonment',
        customerId,
        step: 'reminder-1',
        channel: 'sms',
      };
      const messageId = sender.messageIdFor(key.idempotencyKey);
      await reserveDelivery(db, key, messageId, {
        leaseMs: 60_000,
        contactAtMs: Date.now(),
        cap: { limit: 0, windowMs: 0 },
        address: phone(),
      });
      const to = phone();
      sandbox.deliveryOutcome(to, { status: 'undelivered', errorCode: 30005 });
      const request = {
        idempotencyKey: key.idempotencyKey,
        campaign: key.campaign,
        customerId,
        step: key.step,
        atMs: Date.now(),
        template: { id: 'x' },
      };
      const sid = await sender.send(
        to,
        'Your cart misses you',
        messageId,
        request as never,
        new AbortController().signal,
      );
      await confirmSent(db, key.idempotencyKey, sid);
      await sandbox.callbacksSettled();
      assert.deepEqual(
        sandbox.postedCallbacks.map((posted) => [posted.callback.params.MessageStatus, posted.status]),
        [
          ['sent', 204],
          ['undelivered', 204],
        ],
      );
      const events = eventsOf(messageId);
      assert.deepEqual(
        events.map((event) => [event.type, event.customerId, event.eventId]),
        [['message.failed', customerId, `twilio:${sid}:undelivered`]],
      );

      sandbox.setCallbackMode('hold');
      sandbox.deliveryOutcome(to, null);
      await sender.send(to, 'Second reminder', `sms-${unique()}`, request as never, new AbortController().signal);
      await sandbox.callbacksSettled();
      assert.deepEqual(
        sandbox.heldCallbacks.map((held) => held.params.MessageStatus),
        ['sent', 'delivered'],
      );
      const [, delivered] = sandbox.heldCallbacks;
      assert.equal(await sandbox.postCallback(delivered!), 200, 'not a message of the ledger: answered, ignored');

      await applyCustomerUpdated(db, {
        eventId: `profile-${unique()}`,
        type: 'customer.updated',
        customerId,
        occurredAt: new Date().toISOString(),
        properties: { phone: to },
      });
      sandbox.inboundUrl = url(TWILIO_INBOUND_PATH);
      assert.equal(await sandbox.reply(to, 'Stop'), 200);
      assert.deepEqual(
        published
          .filter((event) => event.customerId === customerId && event.type === 'customer.unsubscribed')
          .map((event) => event.properties),
        [{ channel: 'sms', source: 'sms_stop' }],
      );

      sandbox.setCallbackMode('post');
      const elsewhere = createTwilioClient(settings);
      await elsewhere.messages.create({
        to,
        from: '+15550000000',
        body: 'x',
        statusCallback: 'https://example.com/cb',
      });
      await sandbox.callbacksSettled();
      const refused = sandbox.postedCallbacks.filter((posted) => posted.callback.url.startsWith('https://example.com'));
      assert.ok(refused.length > 0 && refused.every((posted) => posted.status === null), JSON.stringify(refused));
      assert.match(refused[0]!.error ?? '', /127\.0\.0\.1/);
    } finally {
      await sandbox.stop();
    }
  });
});
