import { Partitioners } from 'kafkajs';
import { z } from 'zod';
import { CAMPAIGNS } from '../../contract/campaigns';
import { resolveSettings } from '../../contract/settings/overrides';
import { castFor } from './cast';
import { customerActions, sendgridKeyFrom } from './customer-actions';
import { feedbackLines, feedbackOf } from './feedback-report';
import { mailboxUrl } from './inboxes';
import { JourneyWatch } from './journey-watch';
import { Narrator } from './narrator';
import { reportOn, reportTable } from './report';
import { playStorefront, replayStorefront, type Stage } from './storefront';
import { bridgeConfigSchema, loadConfig } from '../../platform/config';
import { formatDuration } from '../../contract/duration';
import { createDb } from '../../platform/db/database';
import { adminClient } from './admin-client';
import { campaignReportLines } from './campaign-reports';
import { CROWD, liftActLines, playLiftAct } from './lift-act';
import { createKafka } from '../../platform/kafka';
import { createLogger } from '../../platform/logger';
import { connectTemporalClient, temporalUiUrl } from '../../platform/temporal/connection';
import { StorefrontTraces } from './traces';

/**
 * The storefront demo, played against the running app (tools/demo/demo.sh starts it): the terminal
 * tells the story as the journeys record it, then a table says what each customer got and where to look.
 */
const config = loadConfig(
  bridgeConfigSchema.extend({
    MAILPIT_URL: z.url().default('http://127.0.0.1:8025'),
    TWILIO_API_BASE_URL: z.url().default('http://127.0.0.1:8026'),
    ADMIN_PORT: z.coerce.number().int().default(8080),
    TRACKING_PUBLIC_URL: z.url().default('http://127.0.0.1:8090'),
    /** The demo plays SendGrid reporting a bounce, signed with this key (tools/sandbox/sendgrid-webhook-keys.sh). */
    SENDGRID_DEMO_PRIVATE_KEY_FILE: z.string().min(1),
    /** The running app's admin token (tools/demo/demo.sh reads it from the app's run directory). */
    ADMIN_TOKEN: z.string().min(1),
    /** Jaeger's UI, where the demo's links to each customer's traces point (when traces are exported). */
    JAEGER_UI_URL: z.url().default('http://127.0.0.1:16686'),
    /** The Prometheus that scrapes the app (infra/prometheus.sh), with the alert rules. */
    PROMETHEUS_URL: z.url().default('http://127.0.0.1:9090'),
  }),
  { ...process.env, LOG_LEVEL: 'error' },
);

const { campaigns: settings, contact } = resolveSettings([
  { source: 'CAMPAIGN_SETTINGS', overrides: config.CAMPAIGN_SETTINGS ?? {} },
]);
const cart = settings['cart-abandonment'];
const pace = {
  longestJourneyMs:
    30_000 +
    Math.max(...CAMPAIGNS.map((campaign) => (campaign.span as (settings: unknown) => number)(settings[campaign.type]))),
};

async function main(): Promise<void> {
  const demoStartedAt = new Date();
  const stamp = demoStartedAt.toISOString().slice(11, 19).replace(/:/g, '');
  const cast = castFor(stamp);
  const narrator = new Narrator();
  const logger = createLogger('demo', 'error');
  const kafka = createKafka(config, logger, '-demo');
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const admin = kafka.admin();
  const deadLetterGroup = `demo-dead-letters-${stamp}`;
  const deadLetters = kafka.consumer({ groupId: deadLetterGroup });
  const client = await connectTemporalClient(config);
  await Promise.all([producer.connect(), admin.connect(), deadLetters.connect()]);

  const watch = new JourneyWatch(
    client,
    Object.values(cast).map((customer) => customer.customerId),
    (run, entry) => {
      const customer = Object.values(cast).find((candidate) => candidate.customerId === run.customerId)!;
      narrator.journey(customer.name, run.campaign, entry);
    },
  );
  const reasons: string[] = [];
  const deadLetterOffsets = await admin.fetchTopicOffsets(config.DLQ_TOPIC);
  await deadLetters.subscribe({ topic: config.DLQ_TOPIC });
  await deadLetters.run({
    eachMessage: ({ message }) => {
      const reason = message.headers?.['dlq-reason']?.toString() ?? 'unknown';
      reasons.push(reason);
      narrator.storefront(
        'bridge',
        `dead-letters a message (${reason}: ${message.headers?.['dlq-detail']?.toString() ?? ''})`,
      );
      return Promise.resolve();
    },
  });
  for (const { partition, high } of deadLetterOffsets)
    deadLetters.seek({ topic: config.DLQ_TOPIC, partition, offset: high });

  const traces = new StorefrontTraces();
  const stage: Stage = {
    publish: async (events) => {
      await producer.send({
        topic: config.EVENTS_TOPIC,
        acks: -1,
        messages: events.map((item) => ({
          key: item.customerId,
          value: JSON.stringify(item),
          headers: traces.headersFor(item),
        })),
      });
    },
    publishRaw: async (key, value) => {
      await producer.send({ topic: config.EVENTS_TOPIC, acks: -1, messages: [{ key, value }] });
    },
    watch,
    narrator,
    customers: customerActions({
      mailpitUrl: config.MAILPIT_URL,
      replyBySms: async (from, body) => {
        const response = await fetch(`${config.TWILIO_API_BASE_URL}/sandbox/reply`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ From: from, Body: body }),
        });
        if (!response.ok) throw new Error(`the Twilio sandbox could not deliver the reply: HTTP ${response.status}`);
      },
      sendgrid: {
        webhookUrl: `${config.TRACKING_PUBLIC_URL}/webhooks/sendgrid/events`,
        privateKey: sendgridKeyFrom(config.SENDGRID_DEMO_PRIVATE_KEY_FILE),
      },
    }),
  };

  process.stdout.write(
    `\nStorefront demo. Timings are compressed: ` +
      `cart reminders ${formatDuration(cart.firstReminderDelayMs)}, ${formatDuration(cart.secondReminderDelayMs)} ` +
      `and ${formatDuration(cart.finalReminderDelayMs)} apart (1h, 24h, 72h in production), ` +
      `a frequency cap of 1 per ${formatDuration(contact.frequencyWindowMs)} per channel, ` +
      `no SMS quiet hours, so it plays the same at any hour.\n` +
      `SMS go to a local stand-in of Twilio's Messages API (this machine cannot reach Twilio); email to Mailpit.\n\n`,
  );
  watch.start();
  const performance = await playStorefront(stage, cast, pace);
  const replayStartedAt = await replayStorefront(stage, cast, performance, pace);
  await watch.stop();
  await new Promise((resolve) => setTimeout(resolve, 2000)); // a late duplicate, if any, would land now

  const reports = await reportOn(
    cast,
    watch,
    { mailpitUrl: config.MAILPIT_URL, smsSandboxUrl: config.TWILIO_API_BASE_URL },
    replayStartedAt,
  );
  narrator.heading('What each customer got');
  for (const line of reportTable(reports)) process.stdout.write(`${line}\n`);
  const expectedReasons = performance.malformed.map((message) => message.reason).sort();
  const seenReasons = [...reasons].sort();
  const deadLettersOk = JSON.stringify(seenReasons) === JSON.stringify(expectedReasons);
  process.stdout.write(
    `  dead letters on ${config.DLQ_TOPIC}: ${seenReasons.length} (${seenReasons.join(', ') || 'none'}), ` +
      `expected ${expectedReasons.length} (${expectedReasons.join(', ')}) ${deadLettersOk ? '✓' : '✗'}\n`,
  );

  narrator.heading('After the send (delivery and engagement in the ledger, consent, suppressions)');
  const db = createDb(config.DATABASE_URL, 2);
  const feedback = await feedbackOf(db, cast);
  for (const line of feedbackLines(feedback)) process.stdout.write(`${line}\n`);

  narrator.heading(
    `Measured lift: an operator holds out ${CROWD.holdout * 100}% of browse abandonment, and ` +
      `${CROWD.shoppers} shoppers browse; they order at ${CROWD.odds.p1 * 100}% after a reminder, ` +
      `${CROWD.odds.p0 * 100}% without (decided outside the engine, seed ${CROWD.seed})`,
  );
  const adminApi = adminClient(`http://127.0.0.1:${config.ADMIN_PORT}`, config.ADMIN_TOKEN);
  const crowd = await playLiftAct(
    {
      db,
      publish: async (events) => {
        const messages = events.map((event) => ({ key: event.customerId, value: JSON.stringify(event) }));
        await producer.send({ topic: config.EVENTS_TOPIC, acks: -1, messages });
      },
      mailpitUrl: config.MAILPIT_URL,
      admin: adminApi,
    },
    `demo-${stamp}`,
  ).finally(() => db.destroy());
  process.stdout.write(`${liftActLines(crowd).join('\n')}\n`);

  narrator.heading('Campaign reports (GET /campaigns/{campaign}/report: every journey since the demo began)');
  for (const line of await campaignReportLines(adminApi, demoStartedAt)) process.stdout.write(`${line}\n`);

  narrator.heading('Where to look');
  const allQuery = `CustomerId IN (${Object.values(cast)
    .map((customer) => `"${customer.customerId}"`)
    .join(', ')})`;
  process.stdout.write(`  every demo journey   ${temporalUiUrl(config, { query: allQuery })}\n`);
  for (const customer of Object.values(cast)) {
    process.stdout.write(
      `  ${customer.name.padEnd(6)} journeys     ` +
        `${temporalUiUrl(config, { query: `CustomerId = "${customer.customerId}"` })}\n`,
    );
    process.stdout.write(`  ${''.padEnd(6)} mail         ${mailboxUrl(config.MAILPIT_URL, customer.email)}\n`);
    if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
      const links = traces.linksFor(config.JAEGER_UI_URL, config.OTEL_SERVICE_NAME ?? 'campaigns', customer.customerId);
      if (links.first) process.stdout.write(`  ${''.padEnd(6)} first trace  ${links.first}\n`);
      process.stdout.write(`  ${''.padEnd(6)} all traces   ${links.all}\n`);
    }
  }
  process.stdout.write(`  SMS inbox            ${config.TWILIO_API_BASE_URL}/sandbox/messages\n`);
  process.stdout.write(
    `  admin API            http://127.0.0.1:${config.ADMIN_PORT}/openapi.json ` +
      `(bearer token in ~/.cache/triggered-campaigns/run/admin-token)\n`,
  );
  process.stdout.write(
    `  suppressions         http://127.0.0.1:${config.ADMIN_PORT}/suppressions (the same bearer token)\n`,
  );
  process.stdout.write(`  app log              ~/.cache/triggered-campaigns/logs/app.log\n`);
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) process.stdout.write(`  traces (Jaeger)      ${config.JAEGER_UI_URL}\n`);
  process.stdout.write(
    `  metrics and alerts   ${config.PROMETHEUS_URL} (alert rules at /alerts, runbooks in docs/OPERATIONS.md)\n`,
  );

  const allWell =
    reports.every((report) => report.problems.length === 0) &&
    feedback.every((report) => report.problems.length === 0) &&
    crowd.failures.length === 0 &&
    deadLettersOk;
  process.stdout.write(
    `\n${
      allWell
        ? 'Every customer got exactly what they should, once: ' +
          'no duplicates, nothing after an order or an unsubscribe; every click, reply and bounce was recorded.'
        : 'Some customers did not get what they should: see ✗ above.'
    }\n`,
  );
  process.stdout.write('Everything is still running for you to explore. Stop it all with: npm run stop\n');

  await deadLetters.disconnect();
  await admin.deleteGroups([deadLetterGroup]).catch(() => undefined);
  await Promise.all([producer.disconnect(), admin.disconnect(), client.connection.close()]);
  if (!allWell) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
