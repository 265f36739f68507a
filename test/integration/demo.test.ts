import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { castFor, REPLAY_OUTCOMES, type Cast } from '../../tools/demo/cast';
import { customerActions } from '../../tools/demo/customer-actions';
import { JourneyWatch } from '../../tools/demo/journey-watch';
import { Narrator } from '../../tools/demo/narrator';
import { playStorefront, replayStorefront, type Performance } from '../../tools/demo/storefront';
import { loadConfig, temporalConfigSchema } from '../../platform/config';
import { TwilioSandbox } from '../../tools/sandbox/twilio-sandbox';
import { journeyWorkflowId } from '../../contract/journeys';
import { TestApp } from '../support/app';
import { TestAdmin } from '../support/admin';
import { missingFromScrape, ONLY_WHEN_A_SEND_IS_RETRIED } from '../support/documented-metrics';
import { dashboardQueries, engineScrapeJobs, NOT_IN_THE_DEMO } from '../support/dashboard';
import { TestPrometheus } from '../support/prometheus';
import { adminClient, type AdminClient } from '../../tools/demo/admin-client';
import { campaignReportLines } from '../../tools/demo/campaign-reports';
import { CROWD, playLiftAct } from '../../tools/demo/lift-act';
import { messagesTo } from '../support/mailpit';
import { runId, stackEnv } from '../support/services';
import { TemporalWebUi } from '../support/web-ui';

async function assertVisible(
  what: string,
  locator: { waitFor(options: { state: 'visible' }): Promise<void> },
): Promise<void> {
  try {
    await locator.waitFor({ state: 'visible' });
  } catch (error) {
    assert.fail(`the Temporal Web UI does not show ${what}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/**
 * The README's demo, played on its own topic and task queue with the demo's own settings, then
 * checked from the outside: the mailbox, the SMS inbox, the dead-letter topic and Temporal's
 * visibility — not the demo's own report.
 */
describe('the storefront demo', () => {
  const demoSettings = readFileSync(join(__dirname, '../../tools/demo/settings.json'), 'utf8');
  const sms = new TwilioSandbox();
  const cast: Cast = castFor(`t${runId}`);
  const story: string[] = [];
  let app: TestApp;
  let watch: JourneyWatch;
  let performance: Performance;
  let admin: TestAdmin;
  let adminApi: AdminClient;
  const prometheus = new TestPrometheus();
  const demoStartedAt = new Date();

  const sendgrid = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

  before(async () => {
    await sms.start();
    app = new TestApp(
      'demo',
      { CAMPAIGN_SETTINGS: demoSettings, ...sms.env() },
      {
        tracking: { sendgridPublicKey: sendgrid.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
      },
    );
    await app.start();
    await prometheus.start(engineScrapeJobs(app.metricsUrls())); // scraping every second, before the demo plays
    sms.inboundUrl = `${app.tracking.url}/webhooks/twilio/inbound`;
    const narrator = new Narrator((line) => story.push(line));
    watch = new JourneyWatch(
      app.client,
      Object.values(cast).map((customer) => customer.customerId),
      (run, entry) => narrator.journey(run.customerId, run.campaign, entry),
    );
    const stage = {
      publish: (events: object[]) => app.produce(events),
      publishRaw: (key: string, value: string) => app.produceRaw([{ key, value }]),
      watch,
      narrator,
      customers: customerActions({
        mailpitUrl: stackEnv.mailpitApi,
        replyBySms: async (from: string, body: string) => {
          await sms.reply(from, body);
        },
        sendgrid: { webhookUrl: `${app.tracking.url}/webhooks/sendgrid/events`, privateKey: sendgrid.privateKey },
      }),
    };
    watch.start();
    performance = await playStorefront(stage, cast, { longestJourneyMs: 90_000 });
    await replayStorefront(stage, cast, performance, { longestJourneyMs: 90_000 });
    await app.waitUntilConsumed();
    await watch.stop();
    admin = new TestAdmin({ TEMPORAL_TASK_QUEUE: app.taskQueue, CAMPAIGN_SETTINGS: demoSettings });
    await admin.start();
    adminApi = adminClient(admin.url, admin.token);
    await prometheus.scrape(engineScrapeJobs({ ...app.metricsUrls(), admin: `${admin.url}/metrics` }, admin.token));
  });
  after(async () => {
    await prometheus.stop();
    await admin?.stop();
    if (process.env.TEST_LOG_LEVEL === 'debug') process.stdout.write(`${story.join('\n')}\n`);
    await app?.stop();
    await sms.stop();
  });

  for (const key of ['ann', 'bob', 'carla', 'dev', 'erin', 'dana'] as const) {
    it(`gives ${key} exactly the messages of their story, each once`, async () => {
      const customer = cast[key];
      const emails = await messagesTo(customer.email);
      assert.equal(
        emails.length,
        customer.expected.emails,
        `emails to ${customer.name}: ${emails.map((email) => email.Subject).join(' | ')}`,
      );
      assert.equal(
        new Set(emails.map((email) => email.MessageID)).size,
        emails.length,
        'two emails share a Message-ID (the same delivery sent twice)',
      );
      const texts = customer.phone ? sms.to(customer.phone) : [];
      assert.equal(
        texts.length,
        customer.expected.sms,
        `SMS to ${customer.name}: ${texts.map((text) => text.body).join(' | ')}`,
      );
    });
  }

  it('ends every first journey as its story says, and every replayed entry without a new journey', async () => {
    for (const customer of Object.values(cast)) {
      const runs: Array<{ campaign: string; outcome: string | undefined; started: number }> = [];
      for await (const execution of app.client.workflow.list({ query: `CustomerId = "${customer.customerId}"` })) {
        assert.notEqual(execution.status.name, 'RUNNING', `${execution.workflowId} is still running`);
        runs.push({
          campaign: String(execution.searchAttributes.CampaignType?.[0]),
          outcome: execution.searchAttributes.Outcome?.[0] as string | undefined,
          started: execution.startTime.getTime(),
        });
      }
      runs.sort((a, b) => a.started - b.started);
      for (const [campaign, outcome] of Object.entries(customer.expected.outcomes)) {
        const [first, ...replays] = runs.filter((run) => run.campaign === campaign);
        assert.equal(first?.outcome, outcome, `${customer.name}'s ${campaign} journey`);
        assert.ok(replays.length >= 1, `the replay of ${customer.name}'s entry event reached no ${campaign} journey`);
        for (const replay of replays)
          assert.ok(
            REPLAY_OUTCOMES.includes(replay.outcome as never),
            `a replayed ${campaign} entry for ${customer.name} ended ${replay.outcome}`,
          );
      }
    }
  });

  it("records what came after the send: Dev's open and click, Erin's and Ann's opt-outs, Carla's bounce", async () => {
    const clicks = await app.db
      .selectFrom('deliveries')
      .select(['open_count', 'click_count'])
      .where('customer_id', '=', cast.dev.customerId)
      .where('step', '=', 'day-0')
      .executeTakeFirstOrThrow();
    assert.ok(clicks.open_count >= 1 && clicks.click_count === 1, JSON.stringify(clicks));
    const consent = async (customerId: string) =>
      app.db
        .selectFrom('customer_profiles')
        .select(['email_opt_in', 'sms_opt_in'])
        .where('customer_id', '=', customerId)
        .executeTakeFirstOrThrow();
    assert.deepEqual(await consent(cast.erin.customerId), { email_opt_in: false, sms_opt_in: false });
    assert.deepEqual(await consent(cast.ann.customerId), { email_opt_in: true, sms_opt_in: false });
    const suppressed = await app.db
      .selectFrom('suppressions')
      .select(['reason', 'source'])
      .where('address', '=', cast.carla.email.toLowerCase())
      .where('lifted_at', 'is', null)
      .execute();
    assert.deepEqual(suppressed, [{ reason: 'hard_bounce', source: 'sendgrid' }]);
    const bounced = await app.db
      .selectFrom('deliveries')
      .select('delivery_status')
      .where('customer_id', '=', cast.carla.customerId)
      .executeTakeFirstOrThrow();
    assert.equal(bounced.delivery_status, 'bounced');
  });

  it('moves each malformed message to the dead-letter topic with its reason, and nothing else', () => {
    const got = app.deadLetters.map((letter) => ({ value: letter.value, reason: letter.headers['dlq-reason'] }));
    assert.deepEqual(
      got.sort((a, b) => String(a.value).localeCompare(String(b.value))),
      performance.malformed
        .map(({ value, reason }) => ({ value, reason }))
        .sort((a, b) => a.value.localeCompare(b.value)),
    );
  });

  it('tells the story: every message sent appears in the narrative', () => {
    const sentLines = story.filter((line) => line.includes('✉'));
    const expectedMessages = Object.values(cast).reduce(
      (sum, customer) => sum + customer.expected.emails + customer.expected.sms,
      0,
    );
    assert.equal(sentLines.length, expectedMessages, story.join('\n'));
  });

  it(
    'lets an operator find Ann by customer in the Temporal Web UI and read her cart journey: ' +
      'summary, timers, sent email',
    async () => {
      const ann = cast.ann.customerId;
      const workflowId = journeyWorkflowId('cart-abandonment', ann);
      let first: { runId: string; started: number } | null = null;
      for await (const execution of app.client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) {
        if (!first || execution.startTime.getTime() < first.started)
          first = { runId: execution.runId, started: execution.startTime.getTime() };
      }
      assert.ok(first, `no ${workflowId} in Temporal visibility`);

      const temporal = loadConfig(temporalConfigSchema);
      const ui = await TemporalWebUi.open(temporal.TEMPORAL_UI_URL, temporal.TEMPORAL_NAMESPACE);
      try {
        await ui.filterWorkflows(`CustomerId = "${ann}"`);
        const run = ui.runLink(workflowId, first.runId);
        await assertVisible(`the first run of ${workflowId} in the list filtered by customer`, run);
        await ui.screenshot('1-workflows-filtered-by-customer');
        assert.deepEqual(
          await ui.listedWorkflowIds(),
          [workflowId],
          'the list filtered by customer shows other journeys',
        );

        await run.click();
        await assertVisible(
          'the timer summary "waiting 8s for checkout" on the history timeline',
          ui.page.getByText('waiting 8s for checkout').first(),
        );
        // The send's first attempt is a local activity: its bar is labelled with its type, its row with its summary.
        await assertVisible(
          'the sent-email step in the event history',
          ui.page.getByText('cart reminder 1 by email', { exact: true }).first(),
        );
        await ui.screenshot('2-cart-journey-history');

        await ui.openTab('User Metadata');
        await assertVisible(
          'the journey summary',
          ui.markdown(0).getByText(`Cart abandonment journey for customer ${ann}`, { exact: true }),
        );
        await assertVisible('the journey details', ui.markdown(1).getByText(/^Started by cart\.updated event /));
        await assertVisible(
          "the journey's current details",
          ui.markdown(2).getByText('Ended: completed (every reminder was sent)'),
        );
        // The UI gives a local activity's row no status ("Unspecified"): the send is told by its kind and summary.
        const steps = [
          ['Timer', 'waiting 8s for checkout', 'Fired'],
          ['Local Activity', 'cart reminder 1 by email'],
          ['Timer', 'waiting 6s for the second reminder', 'Fired'],
          ['Timer', 'waiting 6s for the final reminder', 'Fired'],
        ];
        for (const expected of steps) {
          const [kind, summary] = expected;
          const row = ui.eventWithMetadata(summary!);
          await assertVisible(`the ${kind!.toLowerCase()} "${summary}" under Events with Metadata`, row);
          const shown = (await row.innerText())
            .split('\n')
            .map((text) => text.trim())
            .filter(Boolean);
          assert.deepEqual(shown.slice(0, expected.length), expected);
        }
        await ui.screenshot('3-cart-journey-summary-timers-activities');

        await ui.openTab('Search Attributes');
        await assertVisible('the Outcome search attribute', ui.page.getByText('"Outcome": "completed"'));
        await ui.screenshot('4-cart-journey-search-attributes');
      } finally {
        await ui.close();
      }
    },
  );
  it('measures the lift of a crowd, a quarter held out: nothing to the held out, a report true to it', async () => {
    const crowd = await playLiftAct(
      { db: app.db, publish: (events) => app.produce(events), mailpitUrl: stackEnv.mailpitApi, admin: adminApi },
      `t${runId}`,
    );
    assert.deepEqual(crowd.failures, []);
    assert.equal(crowd.treated.entered + crowd.holdout.entered, CROWD.shoppers);
    assert.ok(crowd.holdout.entered > 0 && crowd.treated.entered > 0, JSON.stringify(crowd));
    const restored = await adminApi.request<{ overrides: object }>('GET', '/campaigns/browse-abandonment');
    assert.deepEqual(restored.body.overrides, {}, "the operator's holdout is taken back after the act");
  });

  it("ends with each campaign's report", async () => {
    const lines = await campaignReportLines(adminApi, demoStartedAt);
    for (const campaign of ['cart-abandonment', 'browse-abandonment', 'churn-retention', 'post-purchase'])
      assert.ok(
        lines.some((line) => line.trimStart().startsWith(campaign)),
        `no ${campaign} in the reports:\n${lines.join('\n')}`,
      );
    assert.ok(
      lines.some((line) => /cart-abandonment +no holdout/.test(line)),
      `the story's campaigns hold out no one:\n${lines.join('\n')}`,
    );
  });

  it('serves every documented metric of every process after the demo', async () => {
    const scrape = async (url: string, token?: string) => {
      const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      assert.equal(response.status, 200, `${url} answered ${response.status}`);
      return response.text();
    };
    const urls = app.metricsUrls();
    assert.deepEqual(
      missingFromScrape(
        'worker',
        await scrape(urls.worker),
        {
          messages_skipped_total: "the demo's ledger records no skip: its journeys plan each step around consent",
          delivery_misconfigured_total: "the demo's providers accept our credentials",
        },
        undefined,
        ONLY_WHEN_A_SEND_IS_RETRIED,
      ),
      [],
      'docs/METRICS.md and the worker disagree',
    );
    assert.deepEqual(
      missingFromScrape('bridge', await scrape(urls.bridge)),
      [],
      'docs/METRICS.md and the bridge disagree',
    );
    await scrape(`${admin.url}/metrics`, admin.token); // one request answered: the request metrics have samples
    assert.deepEqual(
      missingFromScrape('admin', await scrape(`${admin.url}/metrics`, admin.token)),
      [],
      'docs/METRICS.md and the admin disagree',
    );
    assert.ok(urls.tracking, 'the demo runs the tracking service');
    assert.deepEqual(
      missingFromScrape('tracking', await scrape(urls.tracking)),
      [],
      'docs/METRICS.md and the tracking service disagree',
    );
  });

  it('has data after the demo for every query of the Grafana dashboard, in a real Prometheus', async () => {
    const queries = dashboardQueries('15m');
    assert.ok(queries.length >= 20, `only ${queries.length} queries read from the dashboard`);
    const empty: string[] = [];
    for (const query of queries) {
      const series = await prometheus.query(query.expr); // throws on a query Prometheus rejects
      const key = `${query.panel}/${query.refId}`;
      if (series.length === 0 && !(key in NOT_IN_THE_DEMO))
        empty.push(`"${query.panel}" ${query.refId}: ${query.expr}`);
    }
    assert.deepEqual(empty, [], 'dashboard queries with no series after the demo');
  });
});
