import { between as inRange, seededRandom } from '../chaos/rng';
import { benchApp, phaseEnv, phaseNames, type BenchContext } from './context';
import { createTopics } from './kafka-load';
import { waitForCount } from './visibility';

/** A storefront's traffic as it comes: each customer's session is a burst of views, maybe a cart, an order. */
export interface BurstyMix {
  events: Array<{ customerId: string; event: Record<string, unknown> }>;
  customers: number;
  byType: Record<string, number>;
}

/**
 * `customers` sessions, twenty open at a time and interleaved as they would be on a topic: each
 * views 3 to 12 products; 60% put items in a cart (one to three updates); a quarter of those order;
 * 3% unsubscribe from email at the end.
 */
export function burstyMix(runId: string, label: string, customers: number, now: Date): BurstyMix {
  // Seeded, so that every run (and both code versions) sees the same mix.
  const random = seededRandom(20);
  const between = (low: number, high: number) => inRange(random, low, high);
  const at = now.toISOString();
  const sessions = Array.from({ length: customers }, (_, index) => {
    const customerId = `${label}-${runId}-${index}`;
    const event = (kind: string, n: number, type: string, properties: Record<string, unknown>) => ({
      customerId,
      event: { eventId: `${customerId}-${kind}${n}`, type, customerId, occurredAt: at, properties },
    });
    const session = Array.from({ length: between(3, 12) }, (_, n) =>
      event('view', n, 'product.viewed', { productId: `p${between(1, 400)}`, name: 'Product' }),
    );
    if (random() < 0.6) {
      const updates = between(1, 3);
      for (let n = 0; n < updates; n += 1)
        session.push(
          event('cart', n, 'cart.updated', {
            cartId: `cart-${customerId}`,
            items: Array.from({ length: n + 1 }, (_, item) => ({
              productId: `p${item}`,
              name: 'Product',
              quantity: 1,
              price: 20,
            })),
            currency: 'EUR',
          }),
        );
      if (random() < 0.25) session.push(event('order', 0, 'order.placed', { orderId: `o-${customerId}`, total: 20 }));
    }
    if (random() < 0.03) session.push(event('unsub', 0, 'customer.unsubscribed', { channel: 'email' }));
    return session;
  });
  const events: BurstyMix['events'] = [];
  for (let open = 0; open < sessions.length; open += 20) {
    const group = sessions.slice(open, open + 20);
    while (group.some((session) => session.length > 0))
      for (const session of group) {
        const next = session.shift();
        if (next) events.push(next);
      }
  }
  const byType: Record<string, number> = {};
  for (const { event } of events) byType[String(event.type)] = (byType[String(event.type)] ?? 0) + 1;
  return { events, customers, byType };
}

export interface BurstyResult {
  label: string;
  events: number;
  customers: number;
  byType: Record<string, number>;
  perSecond: number;
  drainSeconds: number;
  deadLettered: number;
  browseJourneys: number;
}

/**
 * A bridge (this code, or another revision's) draining the bursty mix as a backlog: events per second
 * from the bridge's start until its group has committed every offset. Nothing may be dead-lettered,
 * and every customer must have their browse journey.
 */
export async function measureBursty(
  context: BenchContext,
  label: string,
  customers: number,
  root?: string,
): Promise<BurstyResult> {
  const names = phaseNames(context, `bursty-${label}`);
  await createTopics(context.admin, [names.topic, names.dlq], context.partitions);
  const mix = burstyMix(context.runId, `bursty-${label}`, customers, new Date());
  for (let from = 0; from < mix.events.length; from += 500)
    await context.producer.send({
      topic: names.topic,
      acks: -1,
      messages: mix.events
        .slice(from, from + 500)
        .map(({ customerId, event }) => ({ key: customerId, value: JSON.stringify(event) })),
    });
  const end = await endOffsets(context, names.topic);
  const bridge = benchApp(context, 'bridge', `bursty-${label}-bridge`, phaseEnv(context, names), root);
  await bridge.start();
  const startedAt = Date.now();
  let doneAt = NaN;
  try {
    const deadline = startedAt + Math.max(120_000, mix.events.length * 100);
    while (Date.now() < deadline) {
      if (await committedAll(context, names.group, names.topic, end)) {
        doneAt = Date.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await bridge.stop();
  }
  const deadLettered = [...(await endOffsets(context, names.dlq)).values()].reduce((sum, n) => sum + n, 0);
  const browseJourneys = await waitForCount(
    context.client,
    `${names.query} AND WorkflowType = "browseAbandonmentWorkflow"`,
    customers,
    60_000,
  );
  const drainSeconds = (doneAt - startedAt) / 1000;
  const result = {
    label,
    events: mix.events.length,
    customers,
    byType: mix.byType,
    perSecond: mix.events.length / drainSeconds,
    drainSeconds,
    deadLettered,
    browseJourneys,
  };
  context.say(
    `bursty   ${label}: ${result.events} events of ${customers} customers ` +
      `(${Object.entries(mix.byType)
        .map(([type, n]) => `${n} ${type}`)
        .join(', ')}) drained at ${result.perSecond.toFixed(0)} events/s; ` +
      `dead-lettered ${deadLettered}; browse journeys ${browseJourneys}/${customers}`,
  );
  return result;
}

async function endOffsets(context: BenchContext, topic: string): Promise<Map<number, number>> {
  const offsets = await context.admin.fetchTopicOffsets(topic);
  return new Map(offsets.map(({ partition, high }) => [partition, Number(high)]));
}

async function committedAll(
  context: BenchContext,
  groupId: string,
  topic: string,
  end: Map<number, number>,
): Promise<boolean> {
  const [committed] = await context.admin.fetchOffsets({ groupId, topics: [topic] });
  return (
    (committed?.partitions ?? []).every(
      ({ partition, offset }) => (end.get(partition) ?? 0) === 0 || Number(offset) >= end.get(partition)!,
    ) && (committed?.partitions.length ?? 0) > 0
  );
}
