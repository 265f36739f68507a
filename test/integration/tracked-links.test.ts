import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { emailSettingsFrom, smtpTransportOptions } from '../../activities/channel-settings';
import { deliver, type SendOutcome } from '../../activities/delivery';
import { emailSender } from '../../activities/email';
import { linkTracker, type LinkSettings } from '../../activities/link-tracking';
import { createTemplateCatalog } from '../../activities/templates/catalog';
import type { CustomerEvent } from '../../contract/events';
import { loadConfig, workerConfigSchema, type SigningKey } from '../../platform/config';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import type { LinkedMessage, LinkTarget } from '../../platform/db/tracked-links';
import { createLogger } from '../../platform/logger';
import { createTrackingApp } from '../../tracking/app';
import { contactableCustomer } from '../support/customers';
import { messageHeaders, messagesTo } from '../support/mailpit';
import { eventually, requireServices, runId, stackEnv } from '../support/services';

const DAY = 86_400_000;
const keys: SigningKey[] = [
  { kid: 't1', secret: `tracked-links-test-secret-${runId}`.padEnd(40, 'x'), acceptedUntilMs: undefined },
];

interface MailpitMessage {
  Text: string;
  HTML: string;
}

/**
 * The tracking service's link routes on a real PostgreSQL database, with a `publish` that records
 * events (or fails, as Kafka down would): clicks, the open pixel, the unsubscribe page and RFC 8058's
 * one-click POST; and a real email sent through the delivery path, read back from Mailpit.
 */
describe('tracked links: clicks, opens and unsubscribes', () => {
  let db: Db;
  let server: Server;
  let base = '';
  const published: CustomerEvent[] = [];
  let kafkaDown = false;
  const settings = (overrides: Partial<LinkSettings> = {}): LinkSettings => ({
    publicUrl: base,
    signingKeys: keys,
    linkTtlMs: 90 * DAY,
    unsubscribeTtlMs: 365 * DAY,
    ...overrides,
  });
  let counter = 0;
  const message = (channel: 'email' | 'sms' = 'email'): LinkedMessage => ({
    messageId: `<links-${runId}-${(counter += 1)}@test>`,
    customerId: `links-customer-${runId}-${counter}`,
    campaign: 'cart-abandonment',
    step: 'reminder-1',
    journeyId: `journey-${runId}-${counter}`,
    channel,
  });
  const linksOf = (linked: LinkedMessage, targets: LinkTarget[], overrides?: Partial<LinkSettings>) =>
    linkTracker(db, settings(overrides), linked)(targets);
  const get = (url: string) => fetch(url, { redirect: 'manual' });
  const post = (url: string, body: string, type = 'application/x-www-form-urlencoded') =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': type }, redirect: 'manual' });
  /** A token with one character of its signature changed. */
  const tampered = (url: string) => url.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));

  before(async () => {
    await requireServices(['postgres', 'smtp', 'mailpit']);
    db = createDb(stackEnv.database, 4);
    await migrateToLatest(db);
    const app = createTrackingApp(
      {
        db,
        logger: createLogger('tracked-links-test', 'silent'),
        publish: (event) => {
          if (kafkaDown) return Promise.reject(new Error('KafkaJSConnectionError: Connection error'));
          published.push(event);
          return Promise.resolve();
        },
        signingKeys: keys,
        publicUrl: 'http://tracking.invalid',
        now: () => Date.now(),
      },
      { rateLimitPerMinute: 10_000, trustedProxies: 0 },
    );
    await new Promise<void>((resolve) => {
      server = app.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    base = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.destroy();
  });

  const eventsOf = (messageId: string) =>
    published.filter((event) => (event.properties as { messageId?: string }).messageId === messageId);

  it('a click redirects to the stored URL and reports one message.clicked, keyed by the customer', async () => {
    const linked = message();
    const [url] = await linksOf(linked, [{ kind: 'click', url: 'https://storefront.example/cart?utm=a&b=1' }]);
    assert.match(url!, new RegExp(`^${base}/c/[A-Za-z0-9_-]{12}\\.t1\\.[A-Za-z0-9_-]{16}$`));
    assert.doesNotMatch(url!, new RegExp(linked.customerId));
    const response = await get(`${url!}?next=https://evil.example`);
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), 'https://storefront.example/cart?utm=a&b=1');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const [clicked, ...more] = eventsOf(linked.messageId);
    assert.equal(more.length, 0);
    assert.equal(clicked?.type, 'message.clicked');
    assert.equal(clicked?.customerId, linked.customerId);
    assert.match(clicked?.eventId ?? '', /^click:[A-Za-z0-9_-]{12}:[0-9a-f-]{36}$/);
    assert.deepEqual(clicked?.properties, {
      messageId: linked.messageId,
      channel: 'email',
      campaign: 'cart-abandonment',
      step: 'reminder-1',
      journeyId: linked.journeyId,
      provider: 'tracking',
      url: 'https://storefront.example/cart?utm=a&b=1',
    });
  });

  it('an SMS click goes through /s/; a click still redirects when the event cannot be published', async () => {
    const linked = message('sms');
    const [url] = await linksOf(linked, [{ kind: 'click', url: 'https://storefront.example/cart' }]);
    assert.match(url!, new RegExp(`^${base}/s/`));
    kafkaDown = true;
    try {
      const response = await get(url!);
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), 'https://storefront.example/cart');
    } finally {
      kafkaDown = false;
    }
    assert.equal(eventsOf(linked.messageId).length, 0);
  });

  it('a tampered, unknown, mistyped or expired token gets a generic page, and nothing is published', async () => {
    const linked = message();
    const [click, open] = await linksOf(linked, [
      { kind: 'click', url: 'https://storefront.example/' },
      { kind: 'open' },
    ]);
    const expiredMessage = message();
    const [expired] = await linksOf(expiredMessage, [{ kind: 'click', url: 'https://storefront.example/' }], {
      linkTtlMs: -60_000,
    });
    const before = published.length;
    const cases: Array<[string, string, number]> = [
      ['tampered signature', tampered(click!), 404],
      ['unknown code', click!.replace(/\/c\/[A-Za-z0-9_-]{12}\./, '/c/AAAAAAAAAAAA.'), 404],
      ['an open token used as a click', open!.replace('/o/', '/c/'), 404],
      ['malformed token', `${base}/c/not-a-token`, 404],
      ['expired', expired!, 410],
    ];
    for (const [what, url, status] of cases) {
      const response = await get(url);
      assert.equal(response.status, status, what);
      assert.equal(response.headers.get('location'), null, what);
      const page = await response.text();
      assert.match(page, /This link is not valid/, what);
      assert.doesNotMatch(page, new RegExp(`${linked.customerId}|${expiredMessage.customerId}|storefront`), what);
    }
    assert.equal(published.length, before, 'nothing published');
  });

  it('the open pixel: a 43-byte GIF, uncached, reporting message.opened; a forged one counts nothing', async () => {
    const linked = message();
    const [pixel] = await linksOf(linked, [{ kind: 'open' }]);
    const response = await get(pixel!);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/gif');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal((await response.arrayBuffer()).byteLength, 43);
    const [opened, ...more] = eventsOf(linked.messageId);
    assert.equal(more.length, 0);
    assert.equal(opened?.type, 'message.opened');
    assert.equal(opened?.customerId, linked.customerId);
    const forged = await get(tampered(pixel!));
    assert.equal(forged.status, 404);
    assert.equal((await forged.arrayBuffer()).byteLength, 43, 'the same image, so nothing looks broken');
    assert.equal(eventsOf(linked.messageId).length, 1);
  });

  it('the unsubscribe link opens a confirmation page that changes nothing', async () => {
    const linked = message();
    const [unsubscribe] = await linksOf(linked, [{ kind: 'unsubscribe', scope: 'email' }]);
    assert.match(unsubscribe!, new RegExp(`^${base}/u/`));
    const response = await get(unsubscribe!);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const page = await response.text();
    const token = unsubscribe!.split('/u/')[1]!;
    assert.ok(page.includes(`<form method="post" action="http://tracking.invalid/u/${token}">`), page);
    assert.match(page, /name="scope" value="email"/);
    assert.match(page, /name="scope" value="all"/);
    assert.equal(eventsOf(linked.messageId).length, 0);
  });

  it("RFC 8058's one-click POST withdraws the link's scope, once per link, and the form can withdraw all", async () => {
    const linked = message();
    const [unsubscribe] = await linksOf(linked, [{ kind: 'unsubscribe', scope: 'email' }]);
    const code = unsubscribe!.split('/u/')[1]!.split('.')[0]!;
    const oneClick = await post(unsubscribe!, 'List-Unsubscribe=One-Click');
    assert.equal(oneClick.status, 200);
    assert.equal(oneClick.headers.get('cache-control'), 'no-store');
    assert.match(await oneClick.text(), /You are unsubscribed/);
    const form = await post(unsubscribe!, 'scope=all');
    assert.equal(form.status, 200);
    const boundary = '---FormBoundaryjWmhtjORrn';
    const multipart =
      `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n` +
      `One-Click\r\n--${boundary}--\r\n`;
    const rfcExample = await post(unsubscribe!, multipart, `multipart/form-data; boundary=${boundary}`);
    assert.equal(rfcExample.status, 200);
    assert.deepEqual(
      eventsOf(linked.messageId).map((event) => [event.type, event.eventId, event.customerId, event.properties]),
      [
        [
          'customer.unsubscribed',
          `unsubscribe:${code}:email`,
          linked.customerId,
          { channel: 'email', source: 'one_click', messageId: linked.messageId },
        ],
        [
          'customer.unsubscribed',
          `unsubscribe:${code}:all`,
          linked.customerId,
          { channel: 'all', source: 'link', messageId: linked.messageId },
        ],
        [
          'customer.unsubscribed',
          `unsubscribe:${code}:email`,
          linked.customerId,
          { channel: 'email', source: 'one_click', messageId: linked.messageId },
        ],
      ],
      'the same eventId for the same choice: the bridge applies it once',
    );
  });

  it('a forged, expired or empty unsubscribe changes nothing; with Kafka down one is still withdrawn', async () => {
    const linked = message();
    const [unsubscribe] = await linksOf(linked, [{ kind: 'unsubscribe', scope: 'email' }]);
    const old = message();
    const [expired] = await linksOf(old, [{ kind: 'unsubscribe', scope: 'email' }], { unsubscribeTtlMs: -1 });
    const before = published.length;
    assert.equal((await post(tampered(unsubscribe!), 'List-Unsubscribe=One-Click')).status, 404);
    assert.equal((await get(tampered(unsubscribe!))).status, 404);
    assert.equal((await post(expired!, 'List-Unsubscribe=One-Click')).status, 410);
    assert.equal((await post(unsubscribe!, 'scope=sms')).status, 400, 'not a choice the link offers');
    assert.equal((await post(unsubscribe!, '')).status, 400);
    assert.equal((await get(`${base}/u/preview`)).status, 200, "a preview's placeholder explains itself");
    assert.equal((await post(`${base}/u/preview`, 'List-Unsubscribe=One-Click')).status, 404);
    assert.equal(published.length, before, 'nothing published');
    const consent = () =>
      db
        .selectFrom('customer_profiles')
        .select('email_opt_in')
        .where('customer_id', '=', linked.customerId)
        .executeTakeFirst();
    assert.notEqual((await consent())?.email_opt_in, false, 'nothing withdrawn by the refused requests');
    kafkaDown = true;
    try {
      // A mail app does not retry a one-click POST: with Kafka down it is still withdrawn, in PostgreSQL.
      const whileKafkaDown = await post(unsubscribe!, 'List-Unsubscribe=One-Click');
      assert.equal(whileKafkaDown.status, 200);
    } finally {
      kafkaDown = false;
    }
    assert.equal((await consent())?.email_opt_in, false);
    assert.equal(published.length, before, 'not published while Kafka was down');
  });

  it("a real email: links tracked, an open pixel, and a List-Unsubscribe header equal to the body's link", async () => {
    const customer = await contactableCustomer(db, 'links');
    const config = loadConfig(workerConfigSchema, {
      ...process.env,
      DATABASE_URL: stackEnv.database,
      TRACKING_SIGNING_KEYS: keys.map((key) => `${key.kid}:${key.secret}`).join(','),
    });
    const mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, false));
    const sender = emailSender(emailSettingsFrom(config, mailer));
    const request = {
      idempotencyKey: `cart-abandonment:${customer.customerId}:journey-${runId}:reminder-1:email`,
      campaign: 'cart-abandonment',
      customerId: customer.customerId,
      step: 'reminder-1',
      atMs: Date.now(),
      template: {
        id: 'browse-reminder' as const,
        products: [{ productId: 'p1', name: 'Lamp', url: 'https://storefront.example/p/lamp?ref=a&x=1' }],
      },
    };
    let outcome: SendOutcome;
    try {
      outcome = await new MockActivityEnvironment().run(
        deliver,
        {
          db,
          logger: createLogger('tracked-links-test', 'warn'),
          reservationLeaseMs: 60_000,
          links: settings(),
          frequencyCap: () => Promise.resolve({ limit: 0, windowMs: 0 }),
          contactPolicy: () => Promise.resolve({ kind: 'go' as const }),
          templates: createTemplateCatalog(db, { cacheMs: 0 }),
        },
        sender,
        request,
      );
    } finally {
      mailer.close();
    }
    assert.equal(outcome.status, 'sent', JSON.stringify(outcome));
    if (outcome.status !== 'sent') return;

    const [sent] = await eventually(
      'the email in Mailpit',
      () => messagesTo(customer.email),
      (list) => list.length > 0,
    );
    const body = (await (await fetch(`${stackEnv.mailpitApi}/api/v1/message/${sent!.ID}`)).json()) as MailpitMessage;
    const headers = await messageHeaders(sent!.ID);
    const unsubscribe = /Unsubscribe: (\S+)/.exec(body.Text)?.[1];
    assert.match(unsubscribe ?? '', new RegExp(`^${base}/u/[A-Za-z0-9_-]{12}\\.t1\\.[A-Za-z0-9_-]{16}$`));
    assert.equal(headers['List-Unsubscribe']?.[0], `<${unsubscribe}>`);
    assert.equal(headers['List-Unsubscribe-Post']?.[0], 'List-Unsubscribe=One-Click');
    assert.equal(headers['X-Customer-Id'], undefined, 'no header names the customer');
    assert.ok(body.HTML.includes(`href="${unsubscribe}"`), 'the HTML carries the same unsubscribe link');

    const hrefs = [...body.HTML.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!);
    const clicks = hrefs.filter((href) => href.startsWith(`${base}/c/`));
    assert.equal(clicks.length, hrefs.length - 1, `every other link is a click redirect: ${hrefs.join(' ')}`);
    assert.ok(clicks.length >= 2, 'the product and the store links');
    assert.match(body.HTML, new RegExp(`<img src="${base}/o/[A-Za-z0-9_-]{12}\\.t1\\.[A-Za-z0-9_-]{16}" width="1"`));
    assert.doesNotMatch(`${body.Text}${body.HTML}`, /https:\/\/storefront\.example/, 'no untracked link left');
    const { To: _to, Received: _received, ...otherHeaders } = headers; // the test's address contains the ID
    assert.doesNotMatch(`${body.Text}${body.HTML}${JSON.stringify(otherHeaders)}`, new RegExp(customer.customerId));

    const product = await get(clicks[0]!);
    assert.equal(product.headers.get('location'), 'https://storefront.example/p/lamp?ref=a&x=1');
    const stored = await db
      .selectFrom('tracked_links')
      .select(['kind', 'customer_id', 'journey_id'])
      .where('message_id', '=', outcome.messageId)
      .execute();
    assert.deepEqual(stored.map((row) => row.kind).sort(), ['click', 'click', 'open', 'unsubscribe']);
    assert.ok(stored.every((row) => row.customer_id === customer.customerId && row.journey_id === `journey-${runId}`));

    // A retry renders the very same text: the same rows, the same tokens.
    const again = await emailSender(emailSettingsFrom(config, mailer)).render(
      request,
      { firstName: null } as never,
      (await createTemplateCatalog(db, { cacheMs: 0 }).resolve('browse-reminder')).content,
      linkTracker(db, settings(), {
        messageId: outcome.messageId,
        customerId: customer.customerId,
        campaign: request.campaign,
        step: request.step,
        journeyId: `journey-${runId}`,
        channel: 'email',
      }),
    );
    assert.equal(again.unsubscribeUrl, unsubscribe);
    assert.equal(again.text.replace(/\r\n/g, '\n').trim(), body.Text.replace(/\r\n/g, '\n').trim());
  });
});
