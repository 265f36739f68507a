import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { maskEmail } from '../../platform/pii';
import { journeyWorkflowId } from '../../contract/journeys';
import { TestAdmin, type AdminResponse } from '../support/admin';
import { TestApp } from '../support/app';
import { cartUpdated, mug } from '../support/events';
import { TwilioSandbox } from '../../tools/sandbox/twilio-sandbox';
import { messagesTo } from '../support/mailpit';
import { eventually, runId, sleep } from '../support/services';
import { resultWithin } from '../support/temporal';

interface Journey {
  workflowId: string;
  runId: string;
  campaign: string;
  customerId: string;
  status: string;
  stage: string | null;
  outcome: string | null;
}
interface Detail {
  journey: Journey;
  state: {
    journeyId: string | null;
    stage: string;
    outcome: string | null;
    messagesSent: number;
    timeline: Array<{ kind: string; text: string }>;
  } | null;
  messages: Array<{
    step: string;
    channel: string;
    state: string;
    templateId: string | null;
    templateVersion: number | null;
  }>;
  links: { self: string; temporalUi: string };
  refusedRuns: Array<{ runId: string; outcome: string | null }>;
}
interface ErrorBody {
  error: string;
  message: string;
  field?: string;
  in?: string;
}

const cart = { items: [mug], currency: 'EUR' };

describe('admin API on the real stack', () => {
  const app = new TestApp('admin');
  const twilio = new TwilioSandbox();
  let admin: TestAdmin;
  let customerSeq = 0;
  const newCustomer = (name: string) => `${name}-${runId}-${(customerSeq += 1)}`;

  before(async () => {
    await twilio.start();
    await app.start();
    admin = new TestAdmin({
      TEMPORAL_TASK_QUEUE: app.taskQueue,
      ...twilio.env(),
    });
    await admin.start();
  });
  after(async () => {
    await admin?.stop();
    await app.stop();
    await twilio.stop();
  });

  /** A customer the journeys can reach by email. */
  async function reachableCustomer(name: string): Promise<{ customerId: string; email: string }> {
    const customerId = newCustomer(name);
    const email = `${customerId}@example.test`;
    const patched = await admin.request('PATCH', `/customers/${customerId}`, {
      body: { email, firstName: 'Pat', emailOptIn: true },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    return { customerId, email };
  }

  const detail = (campaign: string, customerId: string) =>
    admin.request<Detail>('GET', `/campaigns/${campaign}/journeys/${encodeURIComponent(customerId)}`);
  const result = (campaign: 'cart-abandonment' | 'browse-abandonment' | 'churn-retention', customerId: string) =>
    resultWithin(app.client, journeyWorkflowId(campaign, customerId));

  it('answers /healthz without a token and /readyz with every dependency reachable', async () => {
    assert.deepEqual((await admin.request('GET', '/healthz', { token: null })).body, { status: 'ok' });
    const ready = await admin.request<{ status: string; checks: Array<{ name: string; ok: boolean }> }>(
      'GET',
      '/readyz',
      { token: null },
    );
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(
      ready.body.checks.map((check) => [check.name, check.ok]),
      [
        ['temporal', true],
        ['postgres', true],
        ['kafka', true],
      ],
    );
  });

  it('rejects every other endpoint with 401 without a token and 403 with a wrong one', async () => {
    const spec = await admin.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    assert.equal(spec.status, 200);
    const operations = Object.entries(spec.body.paths)
      .filter(([path]) => path !== '/healthz' && path !== '/readyz')
      .flatMap(([path, item]) =>
        Object.keys(item).map(
          (method) =>
            [
              method.toUpperCase(),
              path.replace('{campaign}', 'cart-abandonment').replace('{customerId}', 'nobody'),
            ] as const,
        ),
      );
    assert.ok(operations.length >= 20, `only ${operations.length} operations`);
    for (const [method, path] of operations) {
      const missing = await admin.request<ErrorBody>(method, path, { token: null });
      assert.equal(missing.status, 401, `${method} ${path} without a token`);
      assert.equal(missing.body.error, 'unauthorized');
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
      const wrong = await admin.request<ErrorBody>(method, path, { token: `${admin.token}x` });
      assert.equal(wrong.status, 403, `${method} ${path} with a wrong token`);
      assert.equal(wrong.body.error, 'forbidden');
    }
  });

  it('answers every invalid input with a 4xx JSON error that names the field', async () => {
    const cases: Array<
      [string, string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string]
    > = [
      ['POST', '/campaigns/cart-abandonment/journeys', { body: { customerId: 'c', items: [] } }, 400, 'items'],
      [
        'POST',
        '/campaigns/cart-abandonment/journeys',
        { body: { customerId: 'c', items: [{ ...mug, price: -1 }] } },
        400,
        'items.0.price',
      ],
      ['POST', '/campaigns/cart-abandonment/journeys', { body: { items: [mug] } }, 400, 'customerId'],
      [
        'POST',
        '/campaigns/cart-abandonment/journeys',
        { body: { customerId: 'c', items: [mug], colour: 'red' } },
        400,
        'colour',
      ],
      [
        'POST',
        '/campaigns/cart-abandonment/journeys',
        { body: { customerId: 'c', items: [mug], overrides: { firstReminderDelay: 'soon' } } },
        400,
        'overrides.firstReminderDelay',
      ],
      ['POST', '/campaigns/cart-abandonment/journeys', { rawBody: '{"customerId": ' }, 400, 'body'],
      [
        'POST',
        '/campaigns/cart-abandonment/journeys',
        { body: { customerId: 'c', items: [mug] }, headers: { 'Idempotency-Key': 'with space' } },
        400,
        'Idempotency-Key',
      ],
      [
        'POST',
        '/campaigns/browse-abandonment/journeys',
        { body: { customerId: 'c', product: { productId: 'p', url: 'javascript:alert(1)' } } },
        400,
        'product.url',
      ],
      ['POST', '/campaigns/churn-retention/journeys', { body: { customerId: 'c', score: 2 } }, 400, 'score'],
      ['POST', '/campaigns/churn-retention/journeys', { body: { customerId: 'c', score: 0.1 } }, 422, 'score'],
      ['GET', '/campaigns/no-such-campaign', {}, 400, 'campaign'],
      ['GET', '/journeys?pageSize=0', {}, 400, 'pageSize'],
      ['GET', '/journeys?status=Sleeping', {}, 400, 'status'],
      ['GET', '/journeys?outcome=won', {}, 400, 'outcome'],
      ['GET', '/journeys?pageToken=AAAA', {}, 400, 'pageToken'],
      ['POST', '/campaigns/cart-abandonment/journeys/c/cancel', { body: {} }, 400, 'reason'],
      ['POST', '/customers/c/journeys/cancel', { body: { reason: '' } }, 400, 'reason'],
      ['PATCH', '/customers/c', { body: { email: 'not-an-email' } }, 400, 'email'],
      ['PATCH', '/customers/c', { body: { phone: '0612345678' } }, 400, 'phone'],
      ['PATCH', '/customers/c', { body: { timezone: 'Mars/Olympus' } }, 400, 'timezone'],
      ['PATCH', '/customers/c', { body: {} }, 400, 'body'],
      [
        'PUT',
        '/campaigns/browse-abandonment/settings',
        { body: { overrides: { emailDelay: 'whenever' } } },
        400,
        'overrides.emailDelay',
      ],
      [
        'PUT',
        '/campaigns/browse-abandonment/settings',
        { body: { overrides: {}, expectedVersion: -1 } },
        400,
        'expectedVersion',
      ],
      [
        'PUT',
        '/contact-policy',
        { body: { overrides: { quietHours: { sms: { start: '25:00', end: '09:00' } } } } },
        400,
        'overrides.quietHours.sms.start',
      ],
      [
        'POST',
        '/campaigns/cart-abandonment/test-sends',
        { body: { customerId: 'c', template: 'browse-reminder', to: 'qa@example.test' } },
        400,
        'template',
      ],
      [
        'POST',
        '/campaigns/cart-abandonment/test-sends',
        { body: { customerId: 'c', template: 'cart-sms', to: 'qa@example.test' } },
        400,
        'to',
      ],
      [
        'POST',
        '/campaigns/cart-abandonment/test-sends',
        { body: { customerId: 'c', template: 'cart-reminder', to: '+15550001111' } },
        400,
        'to',
      ],
    ];
    for (const [method, path, options, status, field] of cases) {
      const response = await admin.request<ErrorBody & { issues?: unknown }>(method, path, options);
      const label = `${method} ${path} ${JSON.stringify(options.body ?? options.rawBody ?? options.headers ?? '')}`;
      assert.equal(response.status, status, `${label}: ${JSON.stringify(response.body)}`);
      assert.equal(typeof response.body.error, 'string', label);
      assert.equal(typeof response.body.message, 'string', label);
      assert.equal(response.body.field, field, label);
    }
    const unknownRoute = await admin.request<ErrorBody>('GET', '/no-such-route');
    assert.equal(unknownRoute.status, 404);
    assert.equal(unknownRoute.body.error, 'not_found');
  });

  it(
    'starts a journey with its own settings, lists it, shows its state, messages and Web UI link, ' +
      'and refuses a second start',
    async () => {
      const { customerId, email } = await reachableCustomer('start');
      const started = await admin.request<{
        workflowId: string;
        runId: string;
        links: { self: string; temporalUi: string };
      }>('POST', '/campaigns/cart-abandonment/journeys', {
        body: { customerId, ...cart, overrides: { firstReminderDelay: '1s', secondReminderDelay: '1 day' } },
      });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      assert.equal(started.body.workflowId, journeyWorkflowId('cart-abandonment', customerId));
      assert.equal(
        started.body.links.temporalUi,
        `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(started.body.workflowId)}`,
      );

      const again = await admin.request<ErrorBody>('POST', '/campaigns/cart-abandonment/journeys', {
        body: { customerId, ...cart },
      });
      assert.equal(again.status, 409);
      assert.equal(again.body.error, 'journey_running');

      const [message] = await eventually(
        'the reminder sent by the started journey',
        () => messagesTo(email),
        (list) => list.length > 0,
        20_000,
      );
      assert.equal(message!.Subject, 'Pat, you left something in your cart');

      const shown = await eventually(
        'the journey to show its sent reminder',
        () => detail('cart-abandonment', customerId),
        (response) => response.body.messages.length > 0,
      );
      assert.equal(shown.status, 200);
      assert.equal(shown.body.journey.status, 'Running');
      assert.equal(shown.body.journey.runId, started.body.runId);
      assert.equal(shown.body.state?.messagesSent, 1);
      assert.equal(shown.body.state?.stage, 'waiting_for_reminder_2');
      assert.ok(
        shown.body.state?.timeline.some(
          (entry) => entry.kind === 'message' && /cart reminder 1 by email: sent/.test(entry.text),
        ),
      );
      assert.deepEqual(
        shown.body.messages.map((sent) => [sent.step, sent.channel, sent.state]),
        [['reminder-1', 'email', 'sent']],
      );
      assert.equal(shown.body.links.self, started.body.links.self);

      const listed = await eventually(
        'the journey in visibility',
        () => admin.request<{ journeys: Journey[]; temporalUi: string }>('GET', `/journeys?customerId=${customerId}`),
        (response) => response.body.journeys.length === 1,
      );
      assert.deepEqual(
        listed.body.journeys.map((journey) => [journey.campaign, journey.customerId, journey.status]),
        [['cart-abandonment', customerId, 'Running']],
      );
      assert.match(decodeURIComponent(listed.body.temporalUi), new RegExp(`CustomerId = '${customerId}'`));
      const otherCampaign = await admin.request<{ journeys: Journey[] }>(
        'GET',
        `/journeys?customerId=${customerId}&campaign=browse-abandonment`,
      );
      assert.deepEqual(otherCampaign.body.journeys, []);

      const cancelled = await admin.request<{ cancelled: string[] }>(
        'POST',
        `/customers/${customerId}/journeys/cancel`,
        {
          body: { reason: 'test cleanup' },
        },
      );
      assert.deepEqual(cancelled.body.cancelled, ['cart-abandonment']);
      assert.equal((await result('cart-abandonment', customerId)).outcome, 'cancelled');
    },
  );

  it(
    'starts browse and churn journeys, pages through journeys, ' + "and cancels all of a customer's journeys at once",
    async () => {
      const { customerId } = await reachableCustomer('multi');
      const browse = await admin.request('POST', '/campaigns/browse-abandonment/journeys', {
        body: {
          customerId,
          product: { productId: 'lamp-1', name: 'Desk lamp', price: 45 },
          overrides: { emailDelay: '1 hour' },
        },
      });
      assert.equal(browse.status, 201, JSON.stringify(browse.body));
      const churn = await admin.request('POST', '/campaigns/churn-retention/journeys', {
        body: { customerId, score: 0.9, overrides: { offerDelay: '1 day' } },
      });
      assert.equal(churn.status, 201, JSON.stringify(churn.body));

      const both = await eventually(
        'both journeys in visibility',
        () => admin.request<{ journeys: Journey[] }>('GET', `/journeys?customerId=${customerId}&status=Running`),
        (response) => response.body.journeys.length === 2,
      );
      assert.deepEqual(both.body.journeys.map((journey) => journey.campaign).sort(), [
        'browse-abandonment',
        'churn-retention',
      ]);
      const first = await admin.request<{ journeys: Journey[]; nextPageToken: string | null }>(
        'GET',
        `/journeys?customerId=${customerId}&pageSize=1`,
      );
      assert.equal(first.body.journeys.length, 1);
      assert.ok(first.body.nextPageToken, 'a second page is announced');
      const second = await admin.request<{ journeys: Journey[] }>(
        'GET',
        `/journeys?customerId=${customerId}&pageSize=1&pageToken=${first.body.nextPageToken}`,
      );
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.equal(second.body.journeys.length, 1);
      assert.notEqual(second.body.journeys[0]!.workflowId, first.body.journeys[0]!.workflowId);

      const cancelled = await admin.request<{ cancelled: string[] }>(
        'POST',
        `/customers/${customerId}/journeys/cancel`,
        {
          body: { reason: 'data-protection request' },
        },
      );
      assert.deepEqual(cancelled.body.cancelled.sort(), ['browse-abandonment', 'churn-retention']);
      assert.equal((await result('browse-abandonment', customerId)).outcome, 'cancelled');
      assert.equal((await result('churn-retention', customerId)).outcome, 'cancelled');
      const ended = await eventually(
        'the outcome in visibility',
        () => admin.request<{ journeys: Journey[] }>('GET', `/journeys?customerId=${customerId}&outcome=cancelled`),
        (response) => response.body.journeys.length === 2,
      );
      assert.ok(ended.body.journeys.every((journey) => journey.status === 'Completed' && journey.stage === 'ended'));
    },
  );

  it('shows the journey that messaged the customer after a topic replay, and the refused replay', async () => {
    const { customerId, email } = await reachableCustomer('replayed');
    const entry = {
      eventId: `churn-${customerId}`,
      type: 'churn.risk_scored',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: { score: 0.9, model: 'nightly' },
    };
    await app.produce([entry]);
    await eventually(
      'the win-back email',
      () => messagesTo(email),
      (messages) => messages.length === 1,
    );
    const cancelled = await admin.request('POST', `/campaigns/churn-retention/journeys/${customerId}/cancel`, {
      body: { reason: 'handled by phone' },
    });
    assert.equal(cancelled.status, 200);
    assert.equal((await result('churn-retention', customerId)).outcome, 'cancelled');

    const handle = () => app.client.workflow.getHandle(journeyWorkflowId('churn-retention', customerId));
    const firstRunId = (await handle().describe()).runId;
    await app.produce([entry]); // the topic replayed: the same entry again
    await eventually(
      'the replayed entry to start a run of its own',
      async () => (await handle().describe()).runId,
      (runId) => runId !== firstRunId,
    );
    const replayed = await result('churn-retention', customerId);
    assert.equal(replayed.outcome, 'duplicate_entry');

    const shown = await detail('churn-retention', customerId);
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.deepEqual(
      [shown.body.journey.outcome, shown.body.state?.outcome, shown.body.state?.journeyId],
      ['cancelled', 'cancelled', entry.eventId],
    );
    assert.deepEqual(
      shown.body.messages.map((message) => [message.step, message.state, message.templateId]),
      [['day-0', 'sent', 'churn-winback']],
    );
    assert.ok((shown.body.messages[0]?.templateVersion ?? 0) >= 1, JSON.stringify(shown.body.messages));
    assert.deepEqual(
      shown.body.refusedRuns.map((run) => run.outcome),
      ['duplicate_entry'],
    );
  });

  it(
    'cancels a waiting cart journey: no email after its delay, ' + 'and the reason is recorded with the outcome',
    async () => {
      const { customerId, email } = await reachableCustomer('cancel');
      const started = await admin.request('POST', '/campaigns/cart-abandonment/journeys', {
        body: { customerId, ...cart, overrides: { firstReminderDelay: '3s' } },
      });
      assert.equal(started.status, 201);
      const startedAt = Date.now();
      const cancelled = await admin.request<{ cancelled: boolean }>(
        'POST',
        `/campaigns/cart-abandonment/journeys/${customerId}/cancel`,
        { body: { reason: 'customer complaint #4521' } },
      );
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.cancelled, true);

      assert.equal((await result('cart-abandonment', customerId)).outcome, 'cancelled');
      await sleep(Math.max(0, startedAt + 3000 + 2000 - Date.now()));
      assert.deepEqual(await messagesTo(email), [], 'a cancelled journey sends nothing');
      const shown = await detail('cart-abandonment', customerId);
      assert.equal(shown.body.journey.status, 'Completed');
      assert.equal(shown.body.state?.outcome, 'cancelled');
      assert.ok(
        shown.body.state?.timeline.some(
          (entry) => entry.kind === 'exit' && entry.text.includes('customer complaint #4521'),
        ),
        JSON.stringify(shown.body.state?.timeline),
      );
      assert.deepEqual(shown.body.messages, []);

      const again = await admin.request<ErrorBody>(
        'POST',
        `/campaigns/cart-abandonment/journeys/${customerId}/cancel`,
        {
          body: { reason: 'twice' },
        },
      );
      assert.equal(again.status, 404);
      assert.equal(
        (await admin.request('GET', `/campaigns/cart-abandonment/journeys/never-${customerId}`)).status,
        404,
      );
    },
  );

  it('pauses a campaign: no sends and no new journeys while paused; held journeys send after resume', async () => {
    const { customerId, email } = await reachableCustomer('pause');
    const started = await admin.request('POST', '/campaigns/cart-abandonment/journeys', {
      body: { customerId, ...cart, overrides: { firstReminderDelay: '2s' } },
    });
    assert.equal(started.status, 201);
    // Paused before its admission, the journey would not start at all (that case is checked below).
    await eventually(
      'the journey to be admitted',
      () => detail('cart-abandonment', customerId),
      (response) => response.body.state?.stage === 'waiting_for_reminder_1',
    );
    try {
      const paused = await admin.request<{ paused: boolean }>('POST', '/campaigns/cart-abandonment/pause');
      assert.equal(paused.status, 200);
      assert.equal(paused.body.paused, true);

      await eventually(
        'the journey to hold its send',
        () => detail('cart-abandonment', customerId),
        (response) => response.body.state?.stage === 'paused',
        15_000,
      );
      await sleep(2000);
      assert.deepEqual(await messagesTo(email), [], 'nothing is sent while the campaign is paused');

      const refused = await admin.request<ErrorBody>('POST', '/campaigns/cart-abandonment/journeys', {
        body: { customerId: newCustomer('refused'), ...cart },
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error, 'campaign_paused');
      const late = newCustomer('paused-entry');
      await app.produce([cartUpdated(late, [mug])]);
      assert.equal(
        (
          await eventually(
            'the event-started journey to end',
            () => result('cart-abandonment', late),
            () => true,
            20_000,
          )
        ).outcome,
        'campaign_paused',
      );

      await eventually(
        'the held journey in visibility',
        () => admin.request<{ journeys: Journey[] }>('GET', `/journeys?customerId=${customerId}&stage=paused`),
        (response) => response.body.journeys.length === 1,
      );
      const resumed = await admin.request<{ paused: boolean; resumedJourneys: number }>(
        'POST',
        '/campaigns/cart-abandonment/resume',
      );
      assert.equal(resumed.status, 200);
      assert.equal(resumed.body.paused, false);
      assert.ok(resumed.body.resumedJourneys >= 1, JSON.stringify(resumed.body));
    } finally {
      await admin.request('POST', '/campaigns/cart-abandonment/resume');
    }
    const sent = await eventually(
      'the held reminder after resume',
      () => messagesTo(email),
      (list) => list.length > 0,
      15_000,
    );
    assert.equal(sent.length, 1);
    await admin.request('POST', `/customers/${customerId}/journeys/cancel`, { body: { reason: 'test cleanup' } });
  });

  it('keeps a 400 that quotes a NUL character under its Idempotency-Key, and answers the repeat the same', async () => {
    const customerId = newCustomer('idem-nul');
    const body = { customerId, product: { productId: 'lamp-1' }, overrides: { emailDelay: 'a\u0000b' } };
    const headers = { 'Idempotency-Key': `nul-${customerId}` };
    const first = await admin.request<ErrorBody>('POST', '/campaigns/browse-abandonment/journeys', { body, headers });
    const second = await admin.request<ErrorBody>('POST', '/campaigns/browse-abandonment/journeys', { body, headers });
    assert.equal(first.status, 400, JSON.stringify(first.body));
    assert.match(first.body.message, /emailDelay/);
    assert.equal(second.status, 400);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.body.message, first.body.message.replaceAll('\u0000', '\uFFFD'));
  });

  it('acts once for a POST repeated with one Idempotency-Key, and refuses the key for another request', async () => {
    const customerId = newCustomer('idem');
    const key = `start-${customerId}`;
    const body = { customerId, product: { productId: 'lamp-1', name: 'Desk lamp' } };
    const first = await admin.request<{ runId: string }>('POST', '/campaigns/browse-abandonment/journeys', {
      body,
      headers: { 'Idempotency-Key': key },
    });
    const second = await admin.request<{ runId: string }>('POST', '/campaigns/browse-abandonment/journeys', {
      body,
      headers: { 'Idempotency-Key': key },
    });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201, 'the repeat gets the first answer, not a 409');
    assert.equal(second.body.runId, first.body.runId);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.headers.get('idempotent-replayed'), null);

    const runsOf = async () => {
      const runs = [];
      for await (const execution of app.client.workflow.list({
        query: `WorkflowId = '${journeyWorkflowId('browse-abandonment', customerId)}'`,
      }))
        runs.push(execution.runId);
      return runs;
    };
    await eventually('the journey in visibility', runsOf, (runs) => runs.length > 0);
    await sleep(1000);
    assert.deepEqual(await runsOf(), [first.body.runId], 'one journey started');

    const reused = await admin.request<ErrorBody>('POST', '/campaigns/browse-abandonment/journeys', {
      body: { ...body, product: { productId: 'other' } },
      headers: { 'Idempotency-Key': key },
    });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.field, 'Idempotency-Key');

    const cancelKey = { 'Idempotency-Key': `cancel-${customerId}` };
    const cancel = await admin.request('POST', `/campaigns/browse-abandonment/journeys/${customerId}/cancel`, {
      body: { reason: 'test' },
      headers: cancelKey,
    });
    const cancelAgain = await admin.request('POST', `/campaigns/browse-abandonment/journeys/${customerId}/cancel`, {
      body: { reason: 'test' },
      headers: cancelKey,
    });
    assert.equal(cancel.status, 200);
    assert.equal(cancelAgain.status, 200, 'the repeated cancel replays the first answer instead of a 404');
  });

  it('reads and changes campaign settings with versions, and reads the contact policy', async () => {
    const before = await admin.request<{
      version: number;
      overrides: Record<string, unknown>;
      effective: Record<string, unknown>;
    }>('GET', '/campaigns/browse-abandonment');
    assert.equal(before.status, 200);
    assert.equal(typeof before.body.effective.emailDelayMs, 'number');
    try {
      const changed = await admin.request<{
        version: number;
        overrides: Record<string, unknown>;
        effective: Record<string, unknown>;
      }>('PUT', '/campaigns/browse-abandonment/settings', {
        body: { overrides: { maxRememberedProducts: 7, emailDelay: '3 hours' }, expectedVersion: before.body.version },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.version, before.body.version + 1);
      assert.deepEqual(changed.body.overrides, { maxRememberedProducts: 7, emailDelay: '3 hours' });
      assert.equal(changed.body.effective.maxRememberedProducts, 7);
      assert.equal(changed.body.effective.emailDelayMs, 3 * 3_600_000);

      const stale = await admin.request<ErrorBody>('PUT', '/campaigns/browse-abandonment/settings', {
        body: { overrides: {}, expectedVersion: before.body.version },
      });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.field, 'expectedVersion');
      const all = await admin.request<{ campaigns: Array<{ scope: string; version: number }> }>('GET', '/campaigns');
      assert.deepEqual(
        all.body.campaigns.map((campaign) => campaign.scope),
        ['cart-abandonment', 'browse-abandonment', 'churn-retention', 'post-purchase'],
      );
      assert.equal(all.body.campaigns[1]!.version, changed.body.version);
    } finally {
      const restored = await admin.request('PUT', '/campaigns/browse-abandonment/settings', {
        body: { overrides: before.body.overrides },
      });
      assert.equal(restored.status, 200);
    }
    const contact = await admin.request<{ scope: string; effective: { frequencyCap: number; quietHours: unknown } }>(
      'GET',
      '/contact-policy',
    );
    assert.equal(contact.body.scope, 'contact');
    assert.equal(typeof contact.body.effective.frequencyCap, 'number');
  });

  it('reads and updates a profile and its consent', async () => {
    const customerId = newCustomer('profile');
    assert.equal((await admin.request('GET', `/customers/${customerId}`)).status, 404);
    const created = await admin.request<Record<string, unknown>>('PATCH', `/customers/${customerId}`, {
      body: {
        email: `${customerId}@example.test`,
        phone: '+15550002222',
        timezone: 'Europe/Paris',
        emailOptIn: true,
        smsOptIn: true,
      },
    });
    assert.equal(created.status, 200);
    const withdrawn = await admin.request<Record<string, unknown>>('PATCH', `/customers/${customerId}`, {
      body: { smsOptIn: false },
    });
    assert.deepEqual(withdrawn.body, {
      customerId,
      email: `${customerId}@example.test`,
      phone: '+15550002222',
      firstName: null,
      timezone: 'Europe/Paris',
      emailOptIn: true,
      smsOptIn: false,
    });
    assert.deepEqual((await admin.request('GET', `/customers/${customerId}`)).body, withdrawn.body);
  });

  it('sends test messages to the given address, outside caps and the delivery ledger', async () => {
    const { customerId } = await reachableCustomer('tester');
    const to = `qa-${customerId}@example.test`;
    const emailed = await admin.request<{ channel: string; countedAgainstCaps: boolean }>(
      'POST',
      '/campaigns/cart-abandonment/test-sends',
      { body: { customerId, template: 'cart-final', to } },
    );
    assert.equal(emailed.status, 200, JSON.stringify(emailed.body));
    assert.equal(emailed.body.channel, 'email');
    const [message] = await eventually(
      'the test email',
      () => messagesTo(to),
      (list) => list.length === 1,
    );
    assert.equal(message!.Subject, '[TEST] Pat, a little something to finish your order');

    const texted = await admin.request<{ channel: string; providerMessageId: string }>(
      'POST',
      '/campaigns/churn-retention/test-sends',
      { body: { customerId, template: 'churn-offer-sms', to: '+15550003333' } },
    );
    assert.equal(texted.status, 200, JSON.stringify(texted.body));
    assert.equal(texted.body.channel, 'sms');
    const [sms] = twilio.to('+15550003333');
    assert.equal(sms?.sid, texted.body.providerMessageId);
    assert.match(sms.body, /^\[TEST\] /);

    const ledger = await app.db
      .selectFrom('deliveries')
      .select('idempotency_key')
      .where('customer_id', '=', customerId)
      .execute();
    assert.deepEqual(ledger, [], 'test sends never reach the delivery ledger, so they count against no cap');
  });

  it('serves Prometheus metrics by route template, and logs requests with PII masked and no token', async () => {
    const email = `masked.${runId}@example.test`;
    assert.equal((await admin.request('GET', `/customers/${encodeURIComponent(email)}`)).status, 404);
    const metrics = await admin.request<string>('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(
      metrics.body,
      /admin_http_requests_total\{method="GET",route="\/customers\/\{customerId\}",status="404"\} \d+/,
    );
    assert.match(
      metrics.body,
      /admin_http_request_duration_seconds_count\{method="GET",route="\/customers\/\{customerId\}"\} \d+/,
    );
    assert.ok(!metrics.body.includes('masked.'), 'raw paths, which hold customer IDs, are never labels');

    const line = await eventually(
      'the request log line',
      () =>
        Promise.resolve(
          admin.logLines.filter(
            (entry) => entry.msg === 'admin request' && entry.path === `/customers/${maskEmail(email)}`,
          ),
        ),
      (lines) => lines.length > 0,
    );
    assert.equal(line[0]!.route, '/customers/{customerId}');
    assert.equal(line[0]!.status, 404);
    const logs = JSON.stringify(admin.logLines);
    assert.ok(
      !logs.includes(email) && !logs.includes(encodeURIComponent(email)),
      'the email address never reaches the log',
    );
    assert.ok(!logs.includes(admin.token), 'the token never reaches the log');
  });

  it('limits the request rate per client with a JSON 429, health checks excepted', async () => {
    const limited = new TestAdmin({ TEMPORAL_TASK_QUEUE: app.taskQueue, ADMIN_RATE_LIMIT: '3' });
    await limited.start();
    try {
      const statuses: number[] = [];
      let last: AdminResponse<ErrorBody> | null = null;
      for (let i = 0; i < 4; i += 1) {
        last = await limited.request<ErrorBody>('GET', '/contact-policy');
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal(last!.body.error, 'rate_limited');
      assert.ok(last!.headers.get('ratelimit'), 'the RateLimit header says when to retry');
      assert.equal((await limited.request('GET', '/healthz', { token: null })).status, 200);
    } finally {
      await limited.stop();
    }
  });
});
