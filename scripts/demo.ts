import { Client, Connection } from '@temporalio/client';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import { z } from 'zod';
import { bridgeConfigSchema, loadConfig } from '../lib/config';
import { createKafka } from '../lib/kafka';
import { createLogger } from '../lib/logger';
import { formatDuration } from '../lib/duration';
import { resolveSettings } from '../campaigns/settings';
import { temporalUiUrl } from '../temporal/connection';

/**
 * A scripted storefront, played against the running app: customers browse, fill carts, order,
 * and a few events arrive twice or broken. The terminal tells the story; the table at the end
 * says where to look.
 */

const config = loadConfig(bridgeConfigSchema.extend({ MAILPIT_URL: z.url().default('http://127.0.0.1:8025') }), { ...process.env, LOG_LEVEL: 'error' });
const cartSettings = resolveSettings([{ source: 'CAMPAIGN_SETTINGS', overrides: config.CAMPAIGN_SETTINGS ?? {} }]).campaigns['cart-abandonment'];
const journeyLengthMs = cartSettings.firstReminderDelayMs + cartSettings.secondReminderDelayMs + cartSettings.finalReminderDelayMs;
const stamp = new Date().toISOString().slice(11, 19).replace(/:/g, '');
const started = Date.now();
const customers = { ann: `ann-${stamp}`, bob: `bob-${stamp}`, dana: `dana-${stamp}` };
const emailOf = (customerId: string) => `${customerId}@storefront.example`;

function say(who: string, what: string): void {
  const clock = new Date().toISOString().slice(11, 19);
  process.stdout.write(`[${clock} +${String(Math.round((Date.now() - started) / 1000)).padStart(2)}s] ${who.padEnd(12)} ${what}\n`);
}

let sequence = 0;
function event(type: string, customerId: string, properties: object) {
  sequence += 1;
  return { eventId: `demo-${stamp}-${sequence}`, type, customerId, occurredAt: new Date().toISOString(), properties };
}

async function send(producer: Producer, events: object[]): Promise<void> {
  await producer.send({
    topic: config.EVENTS_TOPIC,
    acks: -1,
    messages: events.map((item) => ({ key: (item as { customerId: string }).customerId, value: JSON.stringify(item) })),
  });
}

async function emailsTo(address: string): Promise<Array<{ Subject: string; Snippet: string }>> {
  const response = await fetch(`${config.MAILPIT_URL}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}`);
  if (!response.ok) throw new Error(`Mailpit answered HTTP ${response.status}`);
  return ((await response.json()) as { messages: Array<{ Subject: string; Snippet: string }> }).messages;
}

interface Journey { workflowId: string; status: string; outcome: string }
async function journeysOf(client: Client, customerId: string): Promise<Journey[]> {
  const found: Journey[] = [];
  for await (const execution of client.workflow.list({ query: `CustomerId = "${customerId}"` })) {
    const outcome = execution.searchAttributes.Outcome as string[] | undefined;
    found.push({ workflowId: execution.workflowId, status: execution.status.name, outcome: outcome?.[0] ?? '-' });
  }
  return found;
}

async function deadLetterCount(admin: Admin): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(config.DLQ_TOPIC);
  return offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const delay = formatDuration(cartSettings.firstReminderDelayMs);
  process.stdout.write(`\nStorefront demo: cart reminders go out ${delay}, then ${formatDuration(cartSettings.secondReminderDelayMs)} and ${formatDuration(cartSettings.finalReminderDelayMs)} apart (compressed from 1h, 24h, 72h). No SMS provider is configured, so reminder 2 goes by email.\n\n`);
  const producer = createKafka(config, createLogger('demo', 'error'), '-demo').producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });

  const annCart = event('cart.updated', customers.ann, {
    cartId: `cart-${customers.ann}`, currency: 'EUR',
    items: [{ productId: 'mug-blue', name: 'Blue mug', quantity: 2, price: 12.5 }, { productId: 'tea-earl', name: 'Earl Grey, 100 g', quantity: 1, price: 7.9 }],
  });
  await send(producer, [
    event('customer.updated', customers.ann, { email: emailOf(customers.ann), firstName: 'Ann', emailOptIn: true }),
    event('customer.updated', customers.bob, { email: emailOf(customers.bob), firstName: 'Bob', emailOptIn: true }),
    event('customer.updated', customers.dana, { email: emailOf(customers.dana), firstName: 'Dana', emailOptIn: false }),
  ]);
  say('storefront', 'three customers sign in: Ann and Bob accept marketing email, Dana does not');
  await send(producer, [annCart]);
  say(customers.ann, `adds a blue mug and tea to her cart, then leaves → cart journey starts, reminder due in ${delay}`);
  await send(producer, [event('cart.updated', customers.bob, { cartId: `cart-${customers.bob}`, items: [{ productId: 'lamp', name: 'Desk lamp', quantity: 1, price: 39 }] })]);
  say(customers.bob, 'adds a desk lamp to his cart');
  await send(producer, [event('cart.updated', customers.dana, { cartId: `cart-${customers.dana}`, items: [{ productId: 'socks', name: 'Wool socks', quantity: 3, price: 9 }] })]);
  say(customers.dana, 'adds wool socks to her cart, then leaves');

  await sleep(2000);
  await send(producer, [event('order.placed', customers.bob, { orderId: `order-${stamp}`, cartId: `cart-${customers.bob}`, total: 39, currency: 'EUR' })]);
  say(customers.bob, 'checks out before any reminder → his journey ends as converted, nothing will be sent');

  await send(producer, [annCart, annCart, annCart, annCart, annCart]);
  say(customers.ann, 'the storefront retries and sends her cart event five more times (same eventId) → absorbed as duplicates');
  const admin = createKafka(config, createLogger('demo', 'error'), '-demo-admin').admin();
  await admin.connect();
  const deadLettersBefore = await deadLetterCount(admin);
  await producer.send({ topic: config.EVENTS_TOPIC, messages: [{ key: customers.ann, value: `{"eventId":"demo-${stamp}-broken","type":"cart.updated",` }] });
  say('storefront', `a truncated JSON message is published → the bridge moves it to ${config.DLQ_TOPIC} with reason invalid_json`);

  const deadline = Date.now() + journeyLengthMs + 60_000;
  let annEmails = 0;
  while (Date.now() < deadline) {
    const received = await emailsTo(emailOf(customers.ann));
    if (received.length > annEmails) {
      annEmails = received.length;
      say(customers.ann, `📧 receives "${received[0]!.Subject}": ${received[0]!.Snippet.slice(0, 70)}…`);
    }
    const all = await Promise.all(Object.values(customers).map((customerId) => journeysOf(client, customerId)));
    if (annEmails >= 3 && all.every((list) => list.length > 0 && list.every((journey) => journey.status !== 'RUNNING'))) break;
    await sleep(500);
  }

  await send(producer, [annCart]);
  say(customers.ann, 'later, a replay of the topic delivers her original cart event once more');
  await sleep(4000);

  process.stdout.write('\nWhat happened\n');
  const rows: string[][] = [['customer', 'journeys (outcome)', 'emails', 'expected']];
  const expected: Record<string, number> = { [customers.ann]: 3, [customers.bob]: 0, [customers.dana]: 0 };
  let allAsExpected = true;
  for (const customerId of Object.values(customers)) {
    const journeys = await journeysOf(client, customerId);
    const emails = (await emailsTo(emailOf(customerId))).length;
    allAsExpected &&= emails === expected[customerId];
    rows.push([customerId, journeys.map((journey) => journey.outcome).join(', ') || '-', String(emails), String(expected[customerId])]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) process.stdout.write(`  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);

  process.stdout.write('\nWhere to look\n');
  for (const customerId of Object.values(customers)) {
    process.stdout.write(`  ${customerId.padEnd(12)} ${temporalUiUrl(config, { query: `CustomerId="${customerId}"` })}\n`);
  }
  process.stdout.write(`  mailbox      ${config.MAILPIT_URL}/api/v1/search?query=${encodeURIComponent(`to:"${emailOf(customers.ann)}"`)}\n`);
  const newDeadLetters = (await deadLetterCount(admin)) - deadLettersBefore;
  allAsExpected &&= newDeadLetters === 1;
  process.stdout.write(`  dead letters ${newDeadLetters} new on topic ${config.DLQ_TOPIC} (expected 1), each with a dlq-reason header\n`);
  process.stdout.write(`  app log      ~/.cache/triggered-campaigns/logs/app.log\n`);
  process.stdout.write(`\n${allAsExpected ? 'Every customer got exactly what they should: no duplicates.' : 'Some customers did not get what they should: see the table.'}\n`);
  process.stdout.write('Everything is still running for you to explore. Stop it all with: npm run stop\n');

  await producer.disconnect();
  await admin.disconnect();
  await connection.close();
  if (!allAsExpected) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
