import { withoutHoldout } from '../without-holdout';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import type { EventOf } from '../../contract/events';
import { benchApp, phaseEnv, phaseNames, stackCpu, waitForQuietServer, type BenchContext } from './context';
import { churnRiskScored, customerUpdated } from './events';
import { createTopics, producePaced } from './kafka-load';
import { searchMailpit } from './mailpit';
import { usageOf } from './processes';
import { percentiles, type Percentiles } from './stats';

export interface EventToMessageResult {
  /** Which code: `now`, or `before` (the revision before issue 20). */
  label: string;
  offeredPerSecond: number;
  events: number;
  delivered: number;
  duplicates: number;
  eventToMessageMs: Percentiles;
  cpuSeconds: { worker: number; bridge: number; temporal: number; kafka: number };
}

/** Churn journeys send their first email at once: from the churn event's production to Mailpit's receipt. */
const SETTINGS = JSON.stringify(withoutHoldout({ 'churn-retention': { offerDelay: '1h', finalDelay: '1h' } }));

export async function measureEventToMessage(
  context: BenchContext,
  offeredRate: number,
  count: number,
  attempt: number,
  label = 'now',
  root?: string,
): Promise<EventToMessageResult> {
  const names = phaseNames(context, `e2m-${label}${attempt}`);
  const domain = `${names.taskQueue}.bench.example`;
  const customerId = (index: number) => `e2m-${label}${attempt}-${context.runId}-${index}`;
  const email = (index: number) => `${customerId(index)}@${domain}`;
  await createTopics(context.admin, [names.topic, names.dlq], context.partitions);
  for (let index = -1; index < count; index += 1) {
    await applyCustomerUpdated(
      context.db,
      customerUpdated(context.runId, customerId(index), email(index), new Date()) as EventOf<'customer.updated'>,
    );
  }
  const env = phaseEnv(context, names, { CAMPAIGN_SETTINGS: SETTINGS });
  const worker = benchApp(context, 'worker', `e2m-${label}${attempt}-worker`, env, root);
  const bridge = benchApp(context, 'bridge', `e2m-${label}${attempt}-bridge`, env, root);
  await worker.start();
  await bridge.start();
  try {
    await context.producer.send({
      topic: names.topic,
      acks: -1,
      messages: [
        { key: customerId(-1), value: JSON.stringify(churnRiskScored(context.runId, customerId(-1), new Date())) },
      ],
    });
    await waitForEmails(context.mailpitUrl, `to:"${email(-1)}"`, 1, 60_000);

    await waitForQuietServer(context);
    const occurredAt: number[] = [];
    const before = { worker: usageOf(worker.pid).cpuSeconds, bridge: usageOf(bridge.pid).cpuSeconds };
    const stack = stackCpu();
    const produced = await producePaced(context.producer, names.topic, count, offeredRate, (index, now) => {
      occurredAt[index] = now.getTime();
      return churnRiskScored(context.runId, customerId(index), now);
    });
    await waitForEmails(context.mailpitUrl, `to:"${domain}"`, count + 1, Math.max(120_000, count * 100));
    const cpu = stack();
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a duplicate would arrive now
    const emails = await searchMailpit(context.mailpitUrl, `to:"${domain}"`);

    const firstByCustomer = new Map<string, number>();
    let duplicates = 0;
    for (const { to, createdAt } of emails) {
      const id = to.split('@')[0]!;
      if (firstByCustomer.has(id)) duplicates += 1;
      else firstByCustomer.set(id, createdAt);
    }
    const latencies: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const deliveredAt = firstByCustomer.get(customerId(index));
      if (deliveredAt !== undefined) latencies.push(Math.max(0, deliveredAt - occurredAt[index]!));
    }
    const result = {
      label,
      offeredPerSecond: (count * 1000) / (produced.lastAckedAt - produced.firstSentAt),
      events: count,
      delivered: latencies.length,
      duplicates,
      eventToMessageMs: percentiles(latencies),
      cpuSeconds: {
        worker: usageOf(worker.pid).cpuSeconds - before.worker,
        bridge: usageOf(bridge.pid).cpuSeconds - before.bridge,
        temporal: cpu.temporalCpuSeconds,
        kafka: cpu.kafkaCpuSeconds,
      },
    };
    context.say(
      `e2m      ${label}: ${result.delivered}/${count} emails ` +
        `at ${result.offeredPerSecond.toFixed(1)} events/s offered; ` +
        `event→message p50 ${result.eventToMessageMs.p50} ms, p95 ${result.eventToMessageMs.p95} ms, ` +
        `p99 ${result.eventToMessageMs.p99} ms; duplicates ${duplicates}`,
    );
    return result;
  } finally {
    await bridge.stop();
    await worker.stop();
  }
}

async function waitForEmails(mailpitUrl: string, query: string, expected: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const emails = await searchMailpit(mailpitUrl, query);
    if (emails.length >= expected || Date.now() > deadline) return emails;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
