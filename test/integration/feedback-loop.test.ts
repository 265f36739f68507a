import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import twilio from 'twilio';
import { cancelJourneySignal, journeyWorkflowId, type CampaignType } from '../../contract/journeys';
import { TwilioSandbox } from '../../tools/sandbox/twilio-sandbox';
import { TestAdmin } from '../support/admin';
import { TestApp } from '../support/app';
import { contactableCustomer } from '../support/customers';
import { cartUpdated, customerUpdated, mug } from '../support/events';
import { messageHeaders, messagesTo, messageText } from '../support/mailpit';
import { eventually, runId } from '../support/services';
import { resultWithin } from '../support/temporal';

const FIRST_REMINDER_MS = 1_000;
const SECOND_REMINDER_MS = 5_000;
const DAY_MS = 86_400_000;

/**
 * The loop after the send on the real stack: links in real emails followed through the tracking
 * service, the RFC 8058 one-click POST to a real List-Unsubscribe header, Twilio's signed callbacks
 * from the stand-in, a signed SendGrid bounce; each feedback goes through Kafka and the bridge into
 * the ledger, the suppression list and the journeys.
 */
describe('feedback after the send: tracked links, unsubscribe, provider callbacks, suppression', () => {
  const sms = new TwilioSandbox();
  const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const sendgridPublicKey = sendgridKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  let app: TestApp;
  let admin: TestAdmin;

  before(async () => {
    await sms.start();
    const env = {
      ...sms.env(),
      CAMPAIGN_SETTINGS: JSON.stringify({
        'cart-abandonment': {
          firstReminderDelay: `${FIRST_REMINDER_MS}ms`,
          secondReminderDelay: `${SECOND_REMINDER_MS}ms`,
          finalReminderDelay: '1 day',
        },
        'browse-abandonment': { emailDelay: '1s' },
        'churn-retention': { offerDelay: '1 day' },
        contact: { frequencyWindow: '1s', quietHours: { sms: null } },
      }),
    };
    app = new TestApp('feedback', env, { tracking: { sendgridPublicKey } });
    await app.start();
    sms.inboundUrl = `${app.tracking.url}/webhooks/twilio/inbound`;
    admin = new TestAdmin({ ...env, TEMPORAL_TASK_QUEUE: app.taskQueue, EVENTS_TOPIC: app.eventsTopic });
    await admin.start();
  });
  after(async () => {
    await admin?.stop();
    await app?.stop();
    await sms.stop();
  });

  const delivery = (customerId: string, step: string, channel: 'email' | 'sms') =>
    app.db
      .selectFrom('deliveries')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('step', '=', step)
      .where('channel', '=', channel)
      .executeTakeFirst();
  const profile = (customerId: string) =>
    app.db.selectFrom('customer_profiles').selectAll().where('customer_id', '=', customerId).executeTakeFirstOrThrow();
  const endJourney = (campaign: CampaignType, customerId: string) =>
    app.client.workflow
      .getHandle(journeyWorkflowId(campaign, customerId))
      .signal(cancelJourneySignal, { reason: 'test cleanup' })
      .catch(() => undefined);

  interface JourneyDetail {
    state: { timeline: Array<{ kind: string; text: string }> };
    messages: Array<{ step: string; channel: string; clicks: { count: number } }>;
  }
  async function journeyDetail(campaign: CampaignType, customerId: string): Promise<JourneyDetail> {
    const response = await admin.request<JourneyDetail>(
      'GET',
      `/campaigns/${campaign}/journeys/${encodeURIComponent(customerId)}`,
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  }

  async function firstEmail(email: string) {
    const [message] = await eventually(
      'the first reminder in Mailpit',
      () => messagesTo(email),
      (list) => list.length > 0,
    );
    return message!;
  }

  async function cartJourney(prefix: string, options: { sms?: boolean } = {}) {
    const customer = await contactableCustomer(app.db, prefix);
    if (!options.sms) await app.produce([customerUpdated(customer.customerId, { smsOptIn: false })]);
    await app.produce([cartUpdated(customer.customerId, [mug])]);
    return customer;
  }

  it("follows a real reminder's link to the product page and records the click; tampered, expired: 4xx", async () => {
    const { customerId, email } = await cartJourney('clicker');
    const message = await firstEmail(email);
    const text = await messageText(message.ID);
    const link = new RegExp(`${app.tracking.url}/c/[A-Za-z0-9._~-]+`).exec(text)?.[0];
    assert.ok(link, `a tracked link in the reminder:\n${text}`);
    assert.ok(!text.includes(customerId), 'no customer ID in the message body or its links');

    const followed = await fetch(link, { redirect: 'manual' });
    assert.equal(followed.status, 302);
    assert.equal(followed.headers.get('location'), 'https://storefront.example/cart');
    const clicked = await eventually(
      'the click in the ledger',
      () => delivery(customerId, 'reminder-1', 'email'),
      (row) => row?.click_count === 1,
    );
    assert.ok(clicked!.first_clicked_at);

    const tampered = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`;
    assert.equal((await fetch(tampered, { redirect: 'manual' })).status, 404);
    app.tracking.advanceClock(91 * DAY_MS);
    try {
      const expired = await fetch(link, { redirect: 'manual' });
      assert.ok(expired.status >= 400 && expired.status < 500, `expired link answered ${expired.status}`);
      assert.equal(expired.headers.get('location'), null);
    } finally {
      app.tracking.advanceClock(-91 * DAY_MS);
    }
    await app.waitUntilConsumed();
    assert.equal((await delivery(customerId, 'reminder-1', 'email'))!.click_count, 1, 'nothing more recorded');

    const detail = await journeyDetail('cart-abandonment', customerId);
    assert.ok(
      detail.state.timeline.some((entry) => /reminder-1 \(email\) clicked/.test(entry.text)),
      JSON.stringify(detail.state.timeline),
    );
    assert.equal(detail.messages.find((message) => message.step === 'reminder-1')?.clicks.count, 1);
    await endJourney('cart-abandonment', customerId);
  });

  it("withdraws consent through a real email's List-Unsubscribe URL (RFC 8058) before the next step", async () => {
    const { customerId, email } = await cartJourney('one-click');
    const message = await firstEmail(email);
    const header = (await messageHeaders(message.ID))['List-Unsubscribe']?.[0] ?? '';
    const url = /^<([^>]+)>$/.exec(header)?.[1] ?? '';
    assert.ok(url.startsWith(`${app.tracking.url}/u/`), `List-Unsubscribe: ${header}`);
    const oneClick = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } };

    const forged = await fetch(`${url.slice(0, -2)}xx`, { ...oneClick, body: 'List-Unsubscribe=One-Click' });
    assert.ok(forged.status >= 400 && forged.status < 500, `a forged unsubscribe answered ${forged.status}`);
    const confirmPage = await fetch(url);
    assert.equal(confirmPage.status, 200);
    await app.waitUntilConsumed();
    assert.equal((await profile(customerId)).email_opt_in, true, 'neither the forgery nor the page changed consent');

    const posted = await fetch(url, { ...oneClick, body: 'List-Unsubscribe=One-Click' });
    assert.equal(posted.status, 200);
    await eventually(
      'consent withdrawn',
      () => profile(customerId),
      (row) => row.email_opt_in === false,
      10_000,
    );
    const skipped = await eventually(
      'reminder 2 skipped',
      () => journeyDetail('cart-abandonment', customerId),
      (detail) => detail.state.timeline.some((entry) => /reminder-2 by email skipped/.test(entry.text)),
      SECOND_REMINDER_MS + 15_000,
    );
    assert.ok(
      skipped.state.timeline.some((entry) => /reminder-2 by email skipped: no email consent/.test(entry.text)),
      JSON.stringify(skipped.state.timeline),
    );
    assert.equal((await messagesTo(email)).length, 1, 'nothing more was sent after the unsubscribe');
    await endJourney('cart-abandonment', customerId);
  });

  it("marks an SMS delivered from Twilio's signed callback, and refuses a bad signature with 403", async () => {
    const { customerId } = await cartJourney('texted', { sms: true });
    const row = await eventually(
      'reminder 2 delivered',
      () => delivery(customerId, 'reminder-2', 'sms'),
      (found) => found?.delivery_status === 'delivered',
      SECOND_REMINDER_MS + 20_000,
    );
    assert.ok(row!.delivered_at);
    assert.equal(row!.state, 'sent');

    const forged = await fetch(`${app.tracking.url}/webhooks/twilio/status?message=${row!.message_id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
      body: new URLSearchParams({ MessageSid: row!.provider_message_id!, MessageStatus: 'failed', ErrorCode: '30003' }),
    });
    assert.equal(forged.status, 403);
    await app.waitUntilConsumed();
    assert.equal((await delivery(customerId, 'reminder-2', 'sms'))!.delivery_status, 'delivered');
    await endJourney('cart-abandonment', customerId);
  });

  it('sends reminder 2 by email when its SMS comes back undelivered', async () => {
    const customer = await contactableCustomer(app.db, 'undelivered');
    sms.deliveryOutcome(customer.phone, { status: 'undelivered', errorCode: 30003 });
    await app.produce([cartUpdated(customer.customerId, [mug])]);
    await eventually(
      'reminder 2 by email after the SMS failed',
      () => delivery(customer.customerId, 'reminder-2', 'email'),
      (row) => row?.state === 'sent',
      SECOND_REMINDER_MS + 25_000,
    );
    const texted = await delivery(customer.customerId, 'reminder-2', 'sms');
    assert.equal(texted!.delivery_status, 'failed');
    assert.match(texted!.delivery_error ?? '', /30003/);
    assert.equal((await messagesTo(customer.email)).length, 2, 'reminder 1 and reminder 2, each once');
    await endJourney('cart-abandonment', customer.customerId);
  });

  it('withdraws SMS consent when the customer replies STOP', async () => {
    const customer = await contactableCustomer(app.db, 'stopper');
    await sms.reply(customer.phone, ' Stop ');
    await eventually(
      'SMS consent withdrawn',
      () => profile(customer.customerId),
      (row) => row.sms_opt_in === false,
    );
    assert.equal((await profile(customer.customerId)).email_opt_in, true, 'a STOP reply leaves email consent alone');
  });

  function signedSendgrid(events: object[], privateKey: KeyObject, timestamp = Math.floor(Date.now() / 1000)) {
    const payload = JSON.stringify(events);
    const signature = sign('sha256', Buffer.from(`${timestamp}${payload}`), privateKey).toString('base64');
    return {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': String(timestamp),
      },
      body: payload,
    };
  }

  it('suppresses a hard-bounced address: a later email is skipped as suppressed, and goes once lifted', async () => {
    const { customerId, email } = await cartJourney('bounced');
    const message = await firstEmail(email);
    const sent = (await delivery(customerId, 'reminder-1', 'email'))!;
    const bounce = {
      email,
      event: 'bounce',
      type: 'bounce',
      reason: '550 5.1.1 The email account that you tried to reach does not exist',
      timestamp: Math.floor(Date.now() / 1000),
      sg_event_id: `bounce-${randomUUID()}`,
      sg_message_id: `sg-${randomUUID()}`,
      'smtp-id': `<${message.MessageID}>`,
    };
    assert.equal(sent.message_id, bounce['smtp-id']);
    const webhook = `${app.tracking.url}/webhooks/sendgrid/events`;
    assert.equal((await fetch(webhook, signedSendgrid([bounce], sendgridKeys.privateKey))).status, 200);
    // The provider retries: the same event again changes nothing twice.
    assert.equal((await fetch(webhook, signedSendgrid([bounce], sendgridKeys.privateKey))).status, 200);
    await endJourney('cart-abandonment', customerId);
    await resultWithin(app.client, journeyWorkflowId('cart-abandonment', customerId));
    const suppressions = await eventually(
      'the address suppressed',
      () =>
        admin.request<{ suppressions: Array<{ id: string; reason: string; address: string }> }>(
          'GET',
          `/suppressions?channel=email&address=${encodeURIComponent(email)}`,
        ),
      (response) => response.body.suppressions?.length === 1,
    );
    assert.equal(suppressions.body.suppressions[0]!.reason, 'hard_bounce');
    assert.equal((await delivery(customerId, 'reminder-1', 'email'))!.delivery_status, 'bounced');

    await app.produce([
      {
        eventId: `view-${randomUUID()}`,
        type: 'product.viewed',
        customerId,
        occurredAt: new Date().toISOString(),
        properties: { productId: 'lamp', name: 'Desk lamp' },
      },
    ]);
    const skipped = await eventually(
      'the browse email settled',
      () => delivery(customerId, 'browse-email', 'email'),
      (row) => row !== undefined,
      20_000,
    );
    assert.equal(skipped!.state, 'skipped');
    assert.match(skipped!.reason ?? '', /^suppressed/);
    assert.equal((await messagesTo(email)).length, 1);

    const lifted = await admin.request('POST', `/suppressions/${suppressions.body.suppressions[0]!.id}/lift`, {
      body: { note: 'the customer fixed their mailbox' },
    });
    assert.equal(lifted.status, 200);
    await app.produce([
      {
        eventId: `churn-${randomUUID()}`,
        type: 'churn.risk_scored',
        customerId,
        occurredAt: new Date().toISOString(),
        properties: { score: 0.9 },
      },
    ]);
    await eventually(
      'the win-back email after the lift',
      () => messagesTo(email),
      (list) => list.length === 2,
      20_000,
    );
    await endJourney('churn-retention', customerId);
  });

  function signedTwilio(path: string, params: Record<string, string>) {
    const url = `${app.tracking.url}${path}`;
    const signature = twilio.getExpectedTwilioSignature(sms.env().TWILIO_AUTH_TOKEN!, url, params);
    return fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params),
    });
  }

  it('settles an `unknown` send on its delivery callback; repeated and late callbacks change nothing', async () => {
    const customer = await contactableCustomer(app.db, 'ambiguous');
    const messageId = `sms-${randomUUID().replace(/-/g, '')}`;
    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    await app.db
      .insertInto('deliveries')
      .values({
        idempotency_key: `cart-abandonment:${customer.customerId}:j-${runId}:reminder-2:sms`,
        campaign: 'cart-abandonment',
        customer_id: customer.customerId,
        step: 'reminder-2',
        channel: 'sms',
        state: 'unknown',
        reason: 'ambiguous provider failure: 502',
        message_id: messageId,
        provider_message_id: null,
        sent_at: null,
        contact_at: new Date(),
        template_id: 'cart-sms',
        template_version: 1,
      })
      .execute();
    const callback = { AccountSid: sms.env().TWILIO_ACCOUNT_SID!, MessageSid: sid, To: customer.phone };
    const path = `/webhooks/twilio/status?message=${messageId}`;
    assert.equal((await signedTwilio(path, { ...callback, MessageStatus: 'delivered' })).status < 300, true);
    const settled = await eventually(
      'the unknown send settled',
      () => delivery(customer.customerId, 'reminder-2', 'sms'),
      (row) => row?.state === 'sent',
    );
    assert.equal(settled!.delivery_status, 'delivered');
    assert.equal(settled!.provider_message_id, sid);

    // Twilio retries the same callback, and a late `sent` arrives after `delivered`.
    await signedTwilio(path, { ...callback, MessageStatus: 'delivered' });
    await signedTwilio(path, { ...callback, MessageStatus: 'sent' });
    await app.waitUntilConsumed();
    const after = (await delivery(customer.customerId, 'reminder-2', 'sms'))!;
    assert.deepEqual(
      [after.state, after.delivery_status, after.delivered_at?.getTime()],
      [settled!.state, settled!.delivery_status, settled!.delivered_at?.getTime()],
    );
    const recorded = await app.db
      .selectFrom('feedback_events')
      .select('event_id')
      .where('message_id', '=', messageId)
      .execute();
    assert.equal(recorded.length, 1, 'one delivery callback recorded, however often it came');
  });
});
