import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import nodemailer from 'nodemailer';
import { createActivities, type SendOutcome } from '../../activities';
import { loadConfig, workerConfigSchema } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { activityDependencies } from '../../workers/build-worker';
import { TestAdmin } from '../support/admin';
import { TestApp } from '../support/app';
import {
  missingFromScrape,
  ONLY_WHEN_A_SEND_IS_RETRIED,
  parseExposition,
  type Sample,
} from '../support/documented-metrics';
import { cartUpdated, customerUpdated, mug, orderPlaced } from '../support/events';
import { messagesTo } from '../support/mailpit';
import { eventually, runId } from '../support/services';

async function scrape(url: string, token?: string): Promise<string> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  assert.equal(response.status, 200, `${url} answered ${response.status}`);
  return response.text();
}

const valueOf = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples
    .filter((sample) => sample.name === name)
    .find((sample) => Object.entries(labels).every(([label, value]) => sample.labels[label] === value))?.value;

/**
 * One real cart journey (Kafka → bridge → Temporal → SMTP) that sends its reminder and converts,
 * then the worker's, bridge's and admin's /metrics checked against docs/METRICS.md.
 */
describe('metrics: what one journey leaves on /metrics, as docs/METRICS.md says', () => {
  const app = new TestApp('metrics', {
    CAMPAIGN_SETTINGS: JSON.stringify({
      'cart-abandonment': { firstReminderDelay: '500ms', secondReminderDelay: '1 day' },
    }),
  });
  const admin = new TestAdmin({ TEMPORAL_TASK_QUEUE: app.taskQueue });
  const customerId = `metrics-${runId}`;
  const email = `${customerId}@example.test`;

  before(async () => {
    await app.start();
    await admin.start();
    await app.produce([
      customerUpdated(customerId, { email, firstName: 'Mo', emailOptIn: true }),
      cartUpdated(customerId, [mug]),
    ]);
    await eventually(
      'the reminder email',
      () => messagesTo(email),
      (list) => list.length > 0,
      30_000,
    );
    await app.produce([orderPlaced(customerId)]);
    await app.produceRaw([{ key: customerId, value: 'not json' }]);
    await eventually(
      'the converted journey to be counted',
      async () => parseExposition(await scrape(app.metricsUrls().worker)),
      (samples) => valueOf(samples, 'journeys_ended_total', { outcome: 'converted' }) !== undefined,
      20_000,
    );
    await repeatWhatTheJourneyDid();
    await eventually(
      'the malformed message dead-lettered',
      () => Promise.resolve(app.deadLetters),
      (dlq) => dlq.length > 0,
      10_000,
    );
  });
  /**
   * Runs the worker's activities again as a retry or a redelivery would: the reminder's send (already
   * sent) and the journey's end (already recorded); and sends twice to a customer with no profile.
   */
  async function repeatWhatTheJourneyDid(): Promise<void> {
    const config = loadConfig(workerConfigSchema, process.env);
    const mailer = nodemailer.createTransport({ jsonTransport: true });
    const activities = createActivities(
      activityDependencies(config, {
        db: app.db,
        mailer,
        temporal: app.client,
        logger: createLogger('metrics-test', 'warn'),
      }),
    );
    const sent = await app.db
      .selectFrom('deliveries')
      .select(['idempotency_key', 'step'])
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    const request = (key: string, customer: string) => ({
      idempotencyKey: key,
      campaign: 'cart-abandonment',
      customerId: customer,
      step: sent.step,
      atMs: Date.now(),
      template: { id: 'cart-reminder' as const, items: [] },
    });
    const send = (key: string, customer: string): Promise<SendOutcome> =>
      new MockActivityEnvironment().run(activities.sendEmail, request(key, customer));
    const again = await send(sent.idempotency_key, customerId);
    assert.equal(again.status, 'sent');
    const nobody = `nobody-${runId}`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const skipped = await send(`metrics-${nobody}`, nobody);
      assert.equal(skipped.status, 'not_sent');
    }
    const journey = await app.db
      .selectFrom('journeys')
      .select(['journey_id', 'ended_at', 'outcome'])
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    assert.equal(journey.outcome, 'converted');
    await activities.endJourney({
      campaign: 'cart-abandonment',
      customerId,
      journeyId: journey.journey_id,
      outcome: 'converted',
      atMs: Date.now(),
      messagesSent: 1,
      lastMessageAtMs: null,
    });
  }

  after(async () => {
    await admin.stop();
    await app.stop();
  });

  it('counts the send, its duration and the journey once, by campaign, step and group', async () => {
    const samples = parseExposition(await scrape(app.metricsUrls().worker));
    const step = { campaign: 'cart-abandonment', step: 'reminder-1', channel: 'email' };
    assert.equal(valueOf(samples, 'messages_total', { ...step, result: 'sent' }), 1, 'a redelivered send counts 0');
    assert.equal(valueOf(samples, 'messages_total', { ...step, result: 'skipped' }), 1, 'a skip repeated counts once');
    assert.equal(valueOf(samples, 'messages_skipped_total', { ...step, reason: 'no_address' }), 1);
    assert.deepEqual(
      samples
        .filter((sample) => sample.name === 'messages_total')
        .map((sample) => sample.labels.result)
        .sort(),
      ['sent', 'skipped'],
    );
    assert.equal(valueOf(samples, 'send_duration_seconds_count', { channel: 'email' }), 1);
    assert.equal(
      valueOf(samples, 'journeys_ended_total', {
        campaign: 'cart-abandonment',
        outcome: 'converted',
        group: 'treatment',
      }),
      1,
    );
    const ledger = await app.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<string>().as('rows'))
      .where('state', '=', 'sent')
      .executeTakeFirstOrThrow();
    const sentRows = valueOf(samples, 'delivery_ledger_rows', { state: 'sent' });
    assert.ok(sentRows !== undefined && sentRows >= 1 && sentRows <= Number(ledger.rows), `sent rows: ${sentRows}`);
  });

  it("serves the Temporal SDK's runtime metrics from the worker's /metrics", async () => {
    const samples = parseExposition(await scrape(app.metricsUrls().worker));
    assert.ok(
      samples.some(
        (sample) =>
          sample.name === 'temporal_worker_task_slots_available' && sample.labels.task_queue === app.taskQueue,
      ),
      'no task slot gauge for this worker',
    );
  });

  it('serves every documented worker metric this journey produces, with its documented labels', async () => {
    assert.deepEqual(
      missingFromScrape(
        'worker',
        await scrape(app.metricsUrls().worker),
        { delivery_misconfigured_total: 'the provider accepted our credentials' },
        undefined,
        ONLY_WHEN_A_SEND_IS_RETRIED,
      ),
      [],
    );
  });

  it('serves every documented bridge metric, with its documented labels', async () => {
    assert.deepEqual(missingFromScrape('bridge', await scrape(app.metricsUrls().bridge)), []);
  });

  it('serves every documented admin metric, with its documented labels', async () => {
    await scrape(`${admin.url}/metrics`, admin.token);
    assert.deepEqual(missingFromScrape('admin', await scrape(`${admin.url}/metrics`, admin.token)), []);
  });
});
