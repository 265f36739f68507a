import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { journeyWorkflowId } from '../../contract/journeys';
import { sql } from 'kysely';
import { launchJourneyId } from '../../activities/launch';
import { entryEventFor } from '../../contract/campaigns';
import { createLaunch } from '../../platform/db/launches';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import { CampaignWorkflows } from '../../platform/temporal/campaigns';
import { TestAdmin } from '../support/admin';
import { TestApp } from '../support/app';
import { recordCampaignHistoriesIfAsked } from '../support/campaign-histories';
import { contactableCustomer } from '../support/customers';
import { throwawayDatabase } from '../support/databases';
import { messagesTo } from '../support/mailpit';
import { eventually, runId, sleep } from '../support/services';
import { resultWithin } from '../support/temporal';

/** Polls `read` until it returns something other than null. */
const waitFor = async <T>(what: string, read: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> =>
  (await eventually(what, read, (value) => value !== null, timeoutMs)) as T;

interface LaunchView {
  launchId: string;
  state: string | null;
  audienceSize: number;
  duplicates: number;
  totals: { pending: number; entered: number; skipped: number; failed: number; reasons: Record<string, number> };
  links: { self: string; temporalUi: string };
}
interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

const CHURN = 'churn-retention';

/**
 * Launches and campaign-wide cancels on the real stack: the admin API, the worker and PostgreSQL
 * (a database of its own, since a cancelled campaign is campaign-wide), Temporal and Mailpit.
 */
describe('campaign launches and cancels on the real stack', () => {
  let database: Awaited<ReturnType<typeof throwawayDatabase>>;
  let app: TestApp;
  let admin: TestAdmin;
  let seq = 0;

  before(async () => {
    database = await throwawayDatabase('campaigns_ops');
    app = new TestApp('campaign-ops', { DATABASE_URL: database.url });
    await app.start();
    admin = new TestAdmin({ DATABASE_URL: database.url, TEMPORAL_TASK_QUEUE: app.taskQueue });
    await admin.start();
  });
  after(async () => {
    await admin?.stop();
    if (app) await recordCampaignHistoriesIfAsked(app.client, app.taskQueue);
    await app?.stop();
    await database?.drop();
  });

  const customers = async (prefix: string, count: number) =>
    Promise.all(Array.from({ length: count }, () => contactableCustomer(app.db, `${prefix}-${(seq += 1)}`)));
  /** A customer with an email address who withdrew consent on every channel. */
  const optedOutCustomer = async (prefix: string) => {
    const customerId = `${prefix}-${runId}-${(seq += 1)}`;
    await applyCustomerUpdated(app.db, {
      eventId: `profile-${customerId}`,
      type: 'customer.updated',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: { email: `${customerId}@example.test`, emailOptIn: false, smsOptIn: false },
    });
    return customerId;
  };
  const launchOf = (launchId: string) => admin.request<LaunchView>('GET', `/campaigns/${CHURN}/launches/${launchId}`);
  const settledLaunch = (launchId: string, state: string) =>
    waitFor(`launch ${launchId} to be ${state}`, async () => {
      const { body } = await launchOf(launchId);
      return body.state === state ? body : null;
    });
  const result = (customerId: string) => resultWithin(app.client, journeyWorkflowId(CHURN, customerId));

  it('enters each eligible customer of an inline audience once and counts the skips by reason', async () => {
    const eligible = await customers('launch', 5);
    const [busy] = await customers('busy', 1);
    const unknown = `unknown-${runId}-${(seq += 1)}`;
    const optedOut = await optedOutCustomer('opted-out');
    const started = await admin.request('POST', `/campaigns/${CHURN}/journeys`, {
      body: { customerId: busy!.customerId },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));

    const ids = eligible.map((customer) => customer.customerId);
    const created = await admin.request<LaunchView>('POST', `/campaigns/${CHURN}/launches`, {
      body: { customerIds: [...ids, busy!.customerId, unknown, optedOut, ids[0]], ratePerSecond: 20 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.audienceSize, created.body.duplicates], [8, 1]);

    const done = await settledLaunch(created.body.launchId, 'completed');
    assert.deepEqual(
      { ...done.totals },
      { pending: 0, entered: 5, skipped: 3, failed: 0, reasons: { already_in_journey: 1, no_consent: 2 } },
    );
    for (const customer of [...eligible, busy!]) {
      const messages = await waitFor(`the win-back email to ${customer.customerId}`, async () => {
        const found = await messagesTo(customer.email);
        return found.length > 0 ? found : null;
      });
      assert.equal(messages.length, 1, `${customer.customerId} got ${messages.length} emails`);
    }
    // The launch's own journeys carry its ID in their entry; the busy customer's is the operator's.
    const state = await app.client.workflow
      .getHandle(journeyWorkflowId(CHURN, ids[0]!))
      .query<{ journeyId: string }>('journeyState');
    assert.match(state.journeyId, new RegExp(`^launch-${created.body.launchId}-`));
    assert.match(created.body.links.temporalUi, /launch%3Achurn-retention%3A|launch:churn-retention:/);
  });

  it('takes up a member claimed by an attempt that crashed under the same rules: no consent is skipped', async () => {
    const [eligible] = await customers('crashed', 1);
    const optedOut = await optedOutCustomer('crashed-opted-out');
    const launchId = randomUUID();
    await createLaunch(app.db, { launchId, campaign: CHURN, ratePerSecond: 20, startAt: null, source: 'inline' }, [
      { customerId: optedOut, entry: { score: 1 } },
      { customerId: eligible!.customerId, entry: { score: 1 } },
    ]);
    // As a worker killed right after claiming the member leaves it: entering, no journey started.
    await app.db
      .updateTable('launch_audience')
      .set({ status: 'entering', attempts: 1 })
      .where('launch_id', '=', launchId)
      .where('customer_id', '=', optedOut)
      .execute();
    await new CampaignWorkflows(app.client, app.taskQueue).startLaunch({
      launchId,
      campaign: CHURN,
      audienceSize: 2,
      ratePerSecond: 20,
      startAtMs: null,
    });
    const done = await settledLaunch(launchId, 'completed');
    assert.deepEqual(
      [done.totals.entered, done.totals.skipped, done.totals.reasons],
      [1, 1, { no_consent: 1 }],
      JSON.stringify(done.totals),
    );
  });

  it('counts a member whose journey an earlier attempt started as entered, however late it is admitted', async () => {
    const [member] = await customers('lost-answer', 1);
    const launchId = randomUUID();
    await createLaunch(app.db, { launchId, campaign: CHURN, ratePerSecond: 20, startAt: null, source: 'inline' }, [
      { customerId: member!.customerId, entry: { score: 1 } },
    ]);
    const memberRow = () =>
      app.db
        .selectFrom('launch_audience')
        .select(['position', 'status', 'reason'])
        .where('launch_id', '=', launchId)
        .executeTakeFirstOrThrow();
    // As an attempt leaves it when its start reached Temporal and its answer was lost (a Temporal restart):
    // the member entering, its journey running, and the journey not yet admitted.
    await app.db
      .updateTable('launch_audience')
      .set({ status: 'entering', attempts: 1 })
      .where('launch_id', '=', launchId)
      .execute();
    const journeyId = launchJourneyId(launchId, (await memberRow()).position);
    await app.db.transaction().execute(async (trx) => {
      // The journey's admission waits on this lock, as it waits on a worker working through a backlog.
      await sql`lock table journeys, journey_refusals in exclusive mode`.execute(trx);
      await app.journeyClient().start(
        CHURN,
        entryEventFor(
          CHURN,
          { customerId: member!.customerId, score: 1 },
          {
            eventId: journeyId,
            occurredAt: new Date().toISOString(),
          },
        ),
        { startedBy: `launch ${launchId}` },
      );
      await new CampaignWorkflows(app.client, app.taskQueue).startLaunch({
        launchId,
        campaign: CHURN,
        audienceSize: 1,
        ratePerSecond: 20,
        startAtMs: null,
      });
      // Released once the launch has settled the member, or after 10 s if it keeps waiting for the admission.
      const until = Date.now() + 10_000;
      while (Date.now() < until && (await memberRow()).status === 'entering') await sleep(100);
    });
    const done = await settledLaunch(launchId, 'completed');
    assert.deepEqual(
      [done.totals.entered, done.totals.skipped, done.totals.reasons],
      [1, 0, {}],
      `the launch's own journey counted as ${JSON.stringify(done.totals)}`,
    );
    const state = await app.client.workflow
      .getHandle(journeyWorkflowId(CHURN, member!.customerId))
      .query<{ journeyId: string }>('journeyState');
    assert.equal(state.journeyId, journeyId);
  });

  it('pauses, resumes and cancels a launch: a paused launch enters nobody, a cancelled one stops', async () => {
    const audience = await customers('paced', 12);
    const created = await admin.request<LaunchView>('POST', `/campaigns/${CHURN}/launches`, {
      body: { customerIds: audience.map((customer) => customer.customerId), ratePerSecond: 2 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { launchId } = created.body;
    await waitFor('a first entry', async () => ((await launchOf(launchId)).body.totals.entered > 0 ? true : null));
    const paused = await admin.request<LaunchView>('POST', `/campaigns/${CHURN}/launches/${launchId}/pause`);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    const held = await settledLaunch(launchId, 'paused');
    await sleep(2_000);
    const stillHeld = (await launchOf(launchId)).body;
    assert.equal(stillHeld.totals.entered + stillHeld.totals.skipped, held.totals.entered + held.totals.skipped);
    assert.ok(stillHeld.totals.pending > 0, JSON.stringify(stillHeld.totals));

    assert.equal((await admin.request('POST', `/campaigns/${CHURN}/launches/${launchId}/resume`)).status, 200);
    await waitFor('entries after the resume', async () =>
      (await launchOf(launchId)).body.totals.entered > stillHeld.totals.entered ? true : null,
    );
    const cancelled = await admin.request('POST', `/campaigns/${CHURN}/launches/${launchId}/cancel`, {
      body: { reason: 'wrong audience' },
    });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    const stopped = await settledLaunch(launchId, 'cancelled');
    await sleep(1_500);
    const after = (await launchOf(launchId)).body;
    assert.deepEqual(after.totals, stopped.totals, 'nobody is entered once the launch is cancelled');
    assert.ok(after.totals.pending > 0, 'the launch stopped before the end of its audience');
    const again = await admin.request<ErrorBody>('POST', `/campaigns/${CHURN}/launches/${launchId}/resume`);
    assert.deepEqual([again.status, again.body.error], [409, 'launch_ended']);
  });

  it('streams a JSONL upload, and refuses a bad line naming it and its field, storing nothing', async () => {
    const audience = await customers('upload', 40);
    const upload = (lines: string[], query = '?ratePerSecond=100') =>
      fetch(`${admin.url}/campaigns/${CHURN}/launches${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/x-ndjson' },
        body: lines.join('\n') + '\n',
      });
    const bad = await upload([
      JSON.stringify({ customerId: audience[0]!.customerId }),
      '',
      JSON.stringify({ customerId: audience[1]!.customerId, score: 7 }),
    ]);
    const badBody = (await bad.json()) as ErrorBody;
    assert.deepEqual([bad.status, badBody.error, badBody.field], [422, 'invalid_audience', 'line 3: score']);
    const listed = await admin.request<{ launches: unknown[] }>('GET', `/campaigns/${CHURN}/launches`);
    const before = listed.body.launches.length;

    // The last customer's score is under the campaign's threshold (0.7): skipped, like an operator's start.
    const good = await upload(
      audience.map((customer, index) =>
        JSON.stringify({ customerId: customer.customerId, score: index === audience.length - 1 ? 0.3 : 0.9 }),
      ),
    );
    const created = (await good.json()) as LaunchView;
    assert.equal(good.status, 201, JSON.stringify(created));
    assert.equal(created.audienceSize, 40);
    const done = await settledLaunch(created.launchId, 'completed');
    assert.deepEqual(
      [done.totals.entered, done.totals.skipped, done.totals.reasons],
      [39, 1, { below_threshold: 1 }],
      JSON.stringify(done.totals),
    );
    assert.equal((await messagesTo(audience.at(-1)!.email)).length, 0, 'the customer under the threshold got nothing');
    const after = await admin.request<{ launches: unknown[] }>('GET', `/campaigns/${CHURN}/launches`);
    assert.equal(after.body.launches.length, before + 1, 'the refused upload stored no launch');
  });

  it('cancels the campaign: journeys end campaign_cancelled, entries and launches refused; start reopens', async () => {
    const audience = await customers('cancel', 6);
    const created = await admin.request<LaunchView>('POST', `/campaigns/${CHURN}/launches`, {
      body: { customerIds: audience.map((customer) => customer.customerId), ratePerSecond: 50 },
    });
    await settledLaunch(created.body.launchId, 'completed');
    const slow = await admin.request<LaunchView>('POST', `/campaigns/${CHURN}/launches`, {
      body: { customerIds: (await customers('late', 3)).map((customer) => customer.customerId), ratePerSecond: 1 },
    });
    assert.equal(slow.status, 201);

    const cancel = await admin.request<{ workflowId: string; reason: string }>('POST', `/campaigns/${CHURN}/cancel`, {
      body: { reason: 'the offer code leaked' },
    });
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    const ended = await Promise.all(audience.map((customer) => result(customer.customerId)));
    assert.deepEqual(
      ended.map((journey) => journey.outcome),
      audience.map(() => 'campaign_cancelled'),
    );
    const progress = await waitFor('the cancellation to finish', async () => {
      const { body } = await admin.request<{ progress: { state: string; told: number } | null }>(
        'GET',
        `/campaigns/${CHURN}/cancellation`,
      );
      return body.progress?.state === 'done' ? body.progress : null;
    });
    assert.ok(progress.told >= audience.length, JSON.stringify(progress));
    await settledLaunch(slow.body.launchId, 'campaign_cancelled');

    const [fresh] = await customers('fresh', 1);
    const refused = await admin.request<ErrorBody>('POST', `/campaigns/${CHURN}/journeys`, {
      body: { customerId: fresh!.customerId },
    });
    assert.deepEqual([refused.status, refused.body.error], [409, 'campaign_cancelled']);
    const refusedLaunch = await admin.request<ErrorBody>('POST', `/campaigns/${CHURN}/launches`, {
      body: { customerIds: [fresh!.customerId] },
    });
    assert.deepEqual([refusedLaunch.status, refusedLaunch.body.error], [409, 'campaign_cancelled']);
    for (const customer of audience)
      assert.equal((await messagesTo(customer.email)).length, 1, 'only the day-0 email, sent before the cancel');

    const reopened = await admin.request<{ reopened: boolean }>('POST', `/campaigns/${CHURN}/start`);
    assert.deepEqual([reopened.status, reopened.body.reopened], [200, true]);
    const startedAgain = await admin.request('POST', `/campaigns/${CHURN}/journeys`, {
      body: { customerId: fresh!.customerId },
    });
    assert.equal(startedAgain.status, 201, JSON.stringify(startedAgain.body));
    await waitFor('the reopened campaign to message the fresh customer', async () =>
      (await messagesTo(fresh!.email)).length === 1 ? true : null,
    );
  });
});
