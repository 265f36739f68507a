import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import { deliver, type SendOutcome } from '../../activities/delivery';
import { emailSettingsFrom, smtpTransportOptions } from '../../activities/channel-settings';
import { emailSender } from '../../activities/email';
import { linkSettingsFrom } from '../../activities/link-tracking';
import { SMS_OPT_OUT } from '../../activities/templates';
import { createTemplateCatalog } from '../../activities/templates/catalog';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { createDb, type Db } from '../../platform/db/database';
import { releaseReservation, reserveDelivery } from '../../platform/db/delivery-ledger';
import { createLogger } from '../../platform/logger';
import { TestAdmin, type AdminResponse } from '../support/admin';
import { TestApp } from '../support/app';
import { mug } from '../support/events';
import { messagesTo } from '../support/mailpit';
import { eventually, runId, sleep, stackEnv } from '../support/services';

interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  in?: string;
}
interface TemplateDetail {
  templateId: string;
  channel: 'email' | 'sms';
  currentVersion: number;
  current: { version: number; subject?: string; text: string; html?: string; createdBy: string | null };
  versions: Array<{ version: number; note: string | null; createdBy: string | null }>;
  smsLength?: Array<{ encoding: string; units: number; limit: number; segments: number; shortened: boolean }>;
}
interface Preview {
  version: number;
  subject?: string;
  text: string;
  html?: string;
  firstName: string | null;
}
interface MailpitMessage {
  Subject: string;
  Text: string;
  HTML: string;
}

const cart = { items: [mug], currency: 'EUR' };

async function mailpitMessage(id: string): Promise<MailpitMessage> {
  const response = await fetch(`${stackEnv.mailpitApi}/api/v1/message/${id}`);
  assert.equal(response.status, 200);
  return (await response.json()) as MailpitMessage;
}

/**
 * Templates on the real stack: the worker, the admin API and Mailpit, on a database of their own
 * (the edits made here would otherwise change every other test's messages).
 */
describe('message templates on the real stack', () => {
  const database = `campaigns_templates_${runId.replace(/[^a-z0-9]/g, '')}`;
  const databaseUrl = (() => {
    const url = new URL(stackEnv.database);
    url.pathname = `/${database}`;
    return url.toString();
  })();
  const mainDb = createDb(stackEnv.database, 1);
  const app = new TestApp('templates', { DATABASE_URL: databaseUrl }, { inProcessBridge: false });
  let admin: TestAdmin;
  let db: Db;
  let customerSeq = 0;

  before(async () => {
    await sql.raw(`create database ${database}`).execute(mainDb);
    await app.start();
    db = app.db;
    admin = new TestAdmin({ DATABASE_URL: databaseUrl, TEMPORAL_TASK_QUEUE: app.taskQueue });
    await admin.start();
  });
  after(async () => {
    await admin?.stop();
    await app.stop();
    await sql.raw(`drop database if exists ${database} with (force)`).execute(mainDb);
    await mainDb.destroy();
  });

  async function reachableCustomer(name: string, firstName = 'Pat'): Promise<{ customerId: string; email: string }> {
    const customerId = `tpl-${name}-${runId}-${(customerSeq += 1)}`;
    const email = `${customerId}@example.test`;
    const patched = await admin.request('PATCH', `/customers/${customerId}`, {
      body: { email, firstName, emailOptIn: true },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    return { customerId, email };
  }

  /** Starts a cart journey whose first reminder goes after `delay`, and waits for that email. */
  async function firstReminder(customerId: string, email: string, delay: string): Promise<MailpitMessage> {
    const started = await admin.request('POST', '/campaigns/cart-abandonment/journeys', {
      body: { customerId, ...cart, overrides: { firstReminderDelay: delay, secondReminderDelay: '1 day' } },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const [message] = await eventually(
      'the first reminder in Mailpit',
      () => messagesTo(email),
      (m) => m.length > 0,
    );
    return mailpitMessage(message!.ID);
  }

  async function ledgerTemplate(customerId: string) {
    return db
      .selectFrom('deliveries')
      .select(['step', 'state', 'template_id', 'template_version'])
      .where('customer_id', '=', customerId)
      .execute();
  }

  const template = (id: string) => admin.request<TemplateDetail>('GET', `/templates/${id}`);
  const put = (id: string, body: object) =>
    admin.request<TemplateDetail & ErrorBody>('PUT', `/templates/${id}`, { body });

  it('lists every built-in template, seeded as version 1', async () => {
    const list = await admin.request<{
      templates: Array<{ templateId: string; channel: string; currentVersion: number }>;
    }>('GET', '/templates');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    const byId = Object.fromEntries(list.body.templates.map((entry) => [entry.templateId, entry]));
    for (const id of ['cart-reminder', 'cart-final', 'browse-reminder', 'churn-winback', 'churn-final'])
      assert.deepEqual([byId[id]?.channel, byId[id]?.currentVersion], ['email', 1], id);
    for (const id of ['cart-sms', 'churn-offer-sms'])
      assert.deepEqual([byId[id]?.channel, byId[id]?.currentVersion], ['sms', 1], id);

    const reminder = await template('cart-reminder');
    assert.equal(reminder.status, 200);
    assert.equal(reminder.body.current.createdBy, 'built-in');
    assert.match(reminder.body.current.text, /\{\{unsubscribeUrl\}\}/);
    assert.deepEqual(
      reminder.body.versions.map((entry) => entry.version),
      [1],
    );
    const sms = await template('cart-sms');
    assert.ok(sms.body.current.text.endsWith(SMS_OPT_OUT));
    assert.deepEqual(
      sms.body.smsLength?.map((entry) => [entry.encoding, entry.limit]),
      [
        ['GSM-7', 160],
        ['UCS-2', 70],
      ],
    );
  });

  it('refuses an invalid template with a 4xx naming the part and the problem, and saves nothing', async () => {
    const { current } = (await template('cart-reminder')).body;
    const email = { subject: current.subject, text: current.text, html: current.html, expectedVersion: 1 };
    const cases: Array<[string, string, object, number, string, RegExp]> = [
      [
        'cart-reminder',
        'triple-stash in the HTML',
        { ...email, html: `${email.html!}{{{firstName}}}` },
        422,
        'html',
        /\{\{\{/,
      ],
      ['cart-reminder', '{{& in the HTML', { ...email, html: `${email.html!}{{& storeUrl}}` }, 422, 'html', /\{\{&/],
      [
        'cart-reminder',
        'no unsubscribe link in the text',
        { ...email, text: 'Hi {{firstName}}' },
        422,
        'text',
        /unsubscribe/,
      ],
      ['cart-reminder', 'no unsubscribe link in the HTML', { ...email, html: '<p>Hi</p>' }, 422, 'html', /unsubscribe/],
      [
        'cart-reminder',
        'a subject that does not compile',
        { ...email, subject: '{{#if firstName}}Hi' },
        422,
        'subject',
        /compile/,
      ],
      [
        'cart-reminder',
        'an unknown helper',
        { ...email, subject: '{{shout firstName}}' },
        422,
        'subject',
        /Missing helper/,
      ],
      ['cart-reminder', 'an email without HTML', { ...email, html: undefined }, 422, 'html', /HTML/],
      [
        'cart-sms',
        'an SMS without the opt-out',
        { text: 'Your cart is saved: {{storeUrl}}', expectedVersion: 1 },
        422,
        'text',
        /Reply STOP to opt out/,
      ],
      [
        'cart-sms',
        'an SMS with a subject',
        { subject: 'x', text: `Hi ${SMS_OPT_OUT}`, expectedVersion: 1 },
        422,
        'subject',
        /no subject/,
      ],
      ['no-such-template', 'an unknown template', { ...email }, 400, 'templateId', /templateId/],
      [
        'cart-reminder',
        'no expectedVersion',
        { ...email, expectedVersion: undefined },
        400,
        'expectedVersion',
        /expectedVersion/,
      ],
    ];
    for (const [id, what, body, status, field, message] of cases) {
      const response = await put(id, body);
      assert.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`);
      assert.equal(response.body.field, field, what);
      assert.match(response.body.message, message, what);
    }
    assert.equal((await template('cart-reminder')).body.currentVersion, 1, 'nothing was saved');
    assert.equal((await template('cart-sms')).body.currentVersion, 1, 'nothing was saved');
  });

  it('an edit changes the next real send without a restart, and the ledger records the version', async () => {
    const before = await reachableCustomer('before');
    const first = await firstReminder(before.customerId, before.email, '1s');
    assert.equal(first.Subject, 'Pat, you left something in your cart');
    assert.deepEqual(
      (await ledgerTemplate(before.customerId)).map((row) => [row.step, row.template_id, row.template_version]),
      [['reminder-1', 'cart-reminder', 1]],
    );

    const { current } = (await template('cart-reminder')).body;
    const subject = `{{#if firstName}}{{firstName}}, your{{else}}Your{{/if}} cart misses you (${runId})`;
    const saved = await put('cart-reminder', {
      subject,
      text: current.text.replace('You left these in your cart:', 'Still in your cart:'),
      html: current.html,
      expectedVersion: 1,
      note: 'a warmer subject',
      createdBy: 'template-test',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.currentVersion, 2);
    assert.deepEqual(
      saved.body.versions.map((entry) => [entry.version, entry.createdBy]),
      [
        [2, 'template-test'],
        [1, 'built-in'],
      ],
    );

    // The worker's cache holds the current version a few seconds: the next send is due after that.
    const after = await reachableCustomer('after');
    const edited = await firstReminder(after.customerId, after.email, '4s');
    assert.equal(edited.Subject, `Pat, your cart misses you (${runId})`);
    assert.match(edited.Text, /Still in your cart:/);
    assert.deepEqual(
      (await ledgerTemplate(after.customerId)).map((row) => [row.step, row.template_id, row.template_version]),
      [['reminder-1', 'cart-reminder', 2]],
    );

    const preview = await admin.request<Preview>('POST', '/templates/cart-reminder/preview', {
      body: { customerId: after.customerId, data: cart },
    });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.version, 2);
    assert.equal(preview.body.firstName, 'Pat');
    assert.equal(preview.body.subject, edited.Subject, 'the preview has the subject that was sent');
    // The words are the same; the send's links are signed tracked links, the preview's the originals
    // and a placeholder unsubscribe link (a preview stores no tracked link).
    assert.equal(sameButLinks(preview.body.text), sameButLinks(edited.Text), 'the preview has the text that was sent');
    assert.equal(sameButLinks(preview.body.html!), sameButLinks(edited.HTML), 'the preview has the HTML that was sent');
    assert.match(preview.body.text, /Your cart is saved: https:\/\/storefront\.example\/cart\n/);
    assert.match(preview.body.text, /Unsubscribe: https?:\/\/\S+\/u\/preview\n/);
    assert.match(edited.Text, /Your cart is saved: https?:\/\/\S+\/c\/[A-Za-z0-9_-]{12}\.\w+\.[A-Za-z0-9_-]{16}\r?\n/);

    const older = await admin.request<Preview>('POST', '/templates/cart-reminder/preview', {
      body: { customerId: before.customerId, data: cart, version: 1 },
    });
    assert.equal(older.body.subject, first.Subject, 'a preview of version 1 is what version 1 sent');
    assert.equal(sameButLinks(older.body.html!), sameButLinks(first.HTML));
  });

  it('rolls back by saving the older version as the next one, and the next send uses it', async () => {
    const stale = await admin.request<ErrorBody>('POST', '/templates/cart-reminder/rollback', {
      body: { version: 1, expectedVersion: 1 },
    });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.deepEqual([stale.body.error, stale.body.field], ['version_conflict', 'expectedVersion']);
    const missing = await admin.request<ErrorBody>('POST', '/templates/cart-reminder/rollback', {
      body: { version: 99, expectedVersion: 2 },
    });
    assert.deepEqual([missing.status, missing.body.field], [404, 'version']);

    const rolled = await admin.request<TemplateDetail>('POST', '/templates/cart-reminder/rollback', {
      body: { version: 1, expectedVersion: 2 },
    });
    assert.equal(rolled.status, 200, JSON.stringify(rolled.body));
    assert.equal(rolled.body.currentVersion, 3);
    assert.equal(rolled.body.versions[0]?.note, 'rollback to version 1');
    const [v1, v3] = await Promise.all(
      [1, 3].map((version) =>
        admin.request<Record<string, unknown>>('GET', `/templates/cart-reminder/versions/${version}`),
      ),
    );
    for (const part of ['subject', 'text', 'html']) assert.equal(v3!.body[part], v1!.body[part], part);

    const conflict = await put('cart-reminder', {
      subject: 'x',
      text: '{{unsubscribeUrl}}',
      html: '{{unsubscribeUrl}}',
      expectedVersion: 2,
    });
    assert.equal(conflict.status, 409, JSON.stringify(conflict.body));
    assert.deepEqual([conflict.body.error, conflict.body.field], ['version_conflict', 'expectedVersion']);

    const customer = await reachableCustomer('rolled-back');
    const sent = await firstReminder(customer.customerId, customer.email, '4s');
    assert.equal(sent.Subject, 'Pat, you left something in your cart');
    assert.deepEqual(
      (await ledgerTemplate(customer.customerId)).map((row) => row.template_version),
      [3],
    );
    const unknown = await admin.request<ErrorBody>('GET', '/templates/cart-reminder/versions/42');
    assert.deepEqual([unknown.status, unknown.body.field, unknown.body.in], [404, 'version', 'path']);
  });

  it('saves an SMS edit and shows its length per encoding', async () => {
    const text =
      `{{#if firstName}}{{firstName}}, your{{else}}Your{{/if}} basket waits at {{storeUrl}}/cart ` + SMS_OPT_OUT;
    const saved = await put('cart-sms', { text, expectedVersion: 1 });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    const [gsm, ucs] = saved.body.smsLength!;
    assert.equal(gsm?.encoding, 'GSM-7');
    assert.equal(ucs?.encoding, 'UCS-2');
    assert.equal(gsm?.segments, 1);
    const preview = await admin.request<Preview>('POST', '/templates/cart-sms/preview', { body: {} });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.match(preview.body.text, /^Ann, your basket waits at .*\/cart Reply STOP to opt out$/);
  });

  it('a retry renders the version its reservation recorded, not one saved since', async () => {
    const customer = await reachableCustomer('retry');
    const key = {
      idempotencyKey: `tpl-retry:${customer.customerId}`,
      campaign: 'cart-abandonment',
      customerId: customer.customerId,
      step: 'reminder-1',
      channel: 'email' as const,
    };
    const current = (await template('cart-reminder')).body.currentVersion;
    // A first attempt reserved the send with the current version, and the provider did not take it.
    await reserveDelivery(db, key, '<retry@test>', {
      leaseMs: 60_000,
      contactAtMs: Date.now(),
      cap: { limit: 0, windowMs: 0 },
      address: 'tpl-retry@example.test',
      template: { id: 'cart-reminder', version: current },
    });
    await releaseReservation(db, key.idempotencyKey, 'will retry: ECONNREFUSED');
    const edit = (await template('cart-reminder')).body.current;
    const saved = await put('cart-reminder', {
      subject: `Edited after the first attempt (${runId})`,
      text: edit.text,
      html: edit.html,
      expectedVersion: current,
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));

    const config = loadConfig(workerConfigSchema, { ...process.env, DATABASE_URL: databaseUrl });
    const mailer = nodemailer.createTransport(smtpTransportOptions(config.SMTP_URL, false));
    try {
      const outcome: SendOutcome = await new MockActivityEnvironment().run(
        deliver,
        {
          db,
          logger: createLogger('template-retry-test', 'warn'),
          reservationLeaseMs: 60_000,
          links: linkSettingsFrom(config),
          frequencyCap: () => Promise.resolve({ limit: 0, windowMs: 0 }),
          contactPolicy: () => Promise.resolve({ kind: 'go' as const }),
          templates: createTemplateCatalog(db, { cacheMs: 0 }),
        },
        emailSender(emailSettingsFrom(config, mailer)),
        { ...key, atMs: Date.now(), template: { id: 'cart-reminder' as const, ...cart } },
      );
      assert.equal(outcome.status, 'sent', JSON.stringify(outcome));
    } finally {
      mailer.close();
    }
    const [message] = await eventually(
      'the retried email',
      () => messagesTo(customer.email),
      (m) => m.length > 0,
    );
    assert.equal(message!.Subject, 'Pat, you left something in your cart', 'rendered from the reserved version');
    const row = await db
      .selectFrom('deliveries')
      .select(['state', 'template_version'])
      .where('idempotency_key', '=', key.idempotencyKey)
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.state, row.template_version], ['sent', current]);
  });

  it('a catalog sees a save once its cache expires, not before', async () => {
    const catalog = createTemplateCatalog(db, { cacheMs: 300 });
    const before = await catalog.resolve('churn-winback');
    const edit = (await template('churn-winback')).body.current;
    const saved = await put('churn-winback', {
      subject: 'We saved something for you',
      text: edit.text,
      html: edit.html,
      expectedVersion: before.version,
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal((await catalog.resolve('churn-winback')).version, before.version, 'still cached');
    await sleep(350);
    const after = await catalog.resolve('churn-winback');
    assert.equal(after.version, before.version + 1);
    assert.equal(after.content.channel === 'email' && after.content.subject, 'We saved something for you');
    assert.equal((await catalog.resolve('churn-winback', before.version)).version, before.version);
  });

  it('answers every template endpoint with 401 without a token', async () => {
    const calls: Array<[string, string]> = [
      ['GET', '/templates'],
      ['GET', '/templates/cart-reminder'],
      ['GET', '/templates/cart-reminder/versions/1'],
      ['PUT', '/templates/cart-reminder'],
      ['POST', '/templates/cart-reminder/preview'],
      ['POST', '/templates/cart-reminder/rollback'],
    ];
    for (const [method, path] of calls) {
      const response: AdminResponse<ErrorBody> = await admin.request(method, path, { token: null });
      assert.equal(response.status, 401, `${method} ${path}`);
    }
  });
});

/** Mailpit gives the parts back with the line endings SMTP carried them in. */
function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n').trimEnd();
}

/** A message with its links (and a send's open pixel) left out. */
function sameButLinks(text: string): string {
  return normalise(text)
    .replace(/<img src="[^"]*\/o\/[^"]*"[^>]*>/g, '')
    .replace(/https?:\/\/[^\s"<]+/g, '<link>');
}
