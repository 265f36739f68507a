import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { planUnits } from '../../../bridge/bursts';
import { customerLanes, forEachBounded } from '../../../bridge/customer-lanes';
import { handleBurst } from '../../../bridge/handle-burst';
import { OffsetLedger } from '../../../bridge/offset-ledger';
import type { CustomerEvent } from '../../../contract/events';
import { resolveSettings } from '../../../contract/settings/overrides';
import type { JourneyClient } from '../../../platform/temporal/journeys';

const context = { settings: resolveSettings([]).campaigns };
const now = Date.parse('2026-06-01T12:10:00Z');
let offset = 0;

function message(customerId: string | null, event: Record<string, unknown> | string): KafkaMessage {
  offset += 1;
  const value = typeof event === 'string' ? event : JSON.stringify({ customerId, ...event });
  const built: KafkaMessage = {
    key: customerId === null ? null : Buffer.from(customerId),
    value: Buffer.from(value),
    offset: String(offset),
    timestamp: String(now),
    attributes: 0,
    headers: {},
  };
  return built;
}

const at = (minute: number) => `2026-06-01T12:0${minute}:00Z`;
const view = (customerId: string, n: number) =>
  message(customerId, {
    eventId: `v-${customerId}-${n}`,
    type: 'product.viewed',
    occurredAt: at(n % 10),
    properties: { productId: `p${n}` },
  });
const cart = (customerId: string, n: number, items = 1) =>
  message(customerId, {
    eventId: `c-${customerId}-${n}`,
    type: 'cart.updated',
    occurredAt: at(n % 10),
    properties: {
      cartId: 'k',
      items: Array.from({ length: items }, () => ({ productId: 'p', name: 'Lamp', quantity: 1, price: 10 })),
    },
  });
const order = (customerId: string, n: number) =>
  message(customerId, {
    eventId: `o-${customerId}-${n}`,
    type: 'order.placed',
    occurredAt: at(n % 10),
    properties: { orderId: `o${n}`, total: 10, currency: 'EUR', items: [] },
  });

describe('offset ledger', () => {
  it('commits only the unbroken acknowledged prefix, whatever order acknowledgements come in', () => {
    const ledger = new OffsetLedger(['10', '11', '12', '13']);
    assert.equal(ledger.acknowledge('12'), null);
    assert.equal(ledger.acknowledge('11'), null);
    assert.equal(ledger.acknowledge('10'), '12');
    assert.equal(ledger.complete, false);
    assert.equal(ledger.acknowledge('13'), '13');
    assert.equal(ledger.complete, true);
  });
});

describe('customer lanes', () => {
  it('splits a batch by key, each lane in offset order, keyless messages in a lane of their own', () => {
    const messages = [view('a', 1), view('b', 1), message(null, 'junk'), view('a', 2), view('b', 2), view('a', 3)];
    const lanes = customerLanes(messages).map((lane) => lane.map((m) => m.offset));
    const [a1, b1, junk, a2, b2, a3] = messages.map((m) => m.offset);
    assert.deepEqual(lanes, [[a1, a2, a3], [b1, b2], [junk]]);
  });

  it('runs at most the limit at once, and starts nothing after a failure', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const failing = forEachBounded([1, 2, 3, 4, 5, 6, 7, 8], 3, async (n) => {
      started.push(n);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      if (n === 2) throw new Error('lane 2 failed');
    });
    await assert.rejects(failing, /lane 2 failed/);
    assert.equal(most, 3);
    assert.ok(!started.includes(8), `started after the failure: ${started.join(',')}`);
  });
});

describe('bursts', () => {
  const plan = (messages: KafkaMessage[], maxEvents = 50, maxBytes?: number) =>
    planUnits(messages, context, { maxEvents, now, ...(maxBytes ? { maxBytes } : {}) }).map((unit) =>
      unit.kind === 'single'
        ? `single:${unit.message.offset}`
        : `burst:${unit.messages.map((m) => m.offset).join('+')}`,
    );

  it("coalesces a customer's journey events; an order (a record to write) or a bad message stands alone", () => {
    const messages = [
      view('a', 1),
      view('a', 2),
      cart('a', 3),
      order('a', 4),
      message('a', '{bad'),
      view('a', 5),
      view('a', 6),
    ];
    const [v1, v2, c3, o4, bad, v5, v6] = messages.map((m) => m.offset);
    assert.deepEqual(plan(messages), [`burst:${v1}+${v2}+${c3}`, `single:${o4}`, `single:${bad}`, `burst:${v5}+${v6}`]);
  });

  it('caps a burst by events and by bytes, and coalesces nothing at a cap of one', () => {
    const messages = [view('a', 1), view('a', 2), view('a', 3)];
    const [v1, v2, v3] = messages.map((m) => m.offset);
    assert.deepEqual(plan(messages, 2), [`burst:${v1}+${v2}`, `single:${v3}`]);
    assert.deepEqual(plan(messages, 1), [`single:${v1}`, `single:${v2}`, `single:${v3}`]);
    const oneEach = messages[0]!.value!.length + 1;
    assert.deepEqual(plan(messages, 50, oneEach), [`single:${v1}`, `single:${v2}`, `single:${v3}`]);
  });

  it('hands a message handled alone its parse, so it is parsed once: the event, or why it is not one', () => {
    const messages = [order('a', 1), message('a', '{bad'), view('a', 2)];
    const singles = planUnits(messages, context, { maxEvents: 50, now }).map((unit) =>
      unit.kind === 'single' ? (unit.parsed.ok ? unit.parsed.event.eventId : unit.parsed.reason) : 'burst',
    );
    assert.deepEqual(singles, ['o-a-1', 'invalid_json', 'v-a-2']);
  });
});

describe('a burst delivered to journeys', () => {
  const parse = (m: KafkaMessage) => ({ ...JSON.parse(m.value!.toString()) }) as CustomerEvent;

  function recordingJourneys(running: Set<string>) {
    const calls: string[] = [];
    const journeys = {
      startOrSignalAll: (campaign: string, events: CustomerEvent[]) => {
        calls.push(`start-or-signal ${campaign} ${events.map((e) => e.eventId).join(',')}`);
        running.add(campaign);
        return Promise.resolve();
      },
      signalAllIfRunning: (campaign: string, events: CustomerEvent[]) => {
        calls.push(`if-running ${campaign} ${events.map((e) => e.eventId).join(',')}`);
        return Promise.resolve(running.has(campaign));
      },
    } as unknown as JourneyClient;
    return { journeys, calls };
  }

  it('makes one call per journey; events before the first that may start one only reach a running one', async () => {
    const emptied = message('a', {
      eventId: 'c-a-0',
      type: 'cart.updated',
      occurredAt: at(0),
      properties: { cartId: 'k', items: [] },
    });
    const events = [emptied, view('a', 1), view('a', 2), cart('a', 3), cart('a', 4, 2)].map(parse);
    const { journeys, calls } = recordingJourneys(new Set());
    const results = await handleBurst(journeys, events, context);
    assert.deepEqual(calls.sort(), [
      'if-running cart-abandonment c-a-0',
      // The cart updates end the browse journey the views started: they follow the views into it.
      'start-or-signal browse-abandonment v-a-1,v-a-2,c-a-3,c-a-4',
      'start-or-signal cart-abandonment c-a-3,c-a-4',
    ]);
    assert.deepEqual(
      results[0]!.actions.map((a) => a.effect),
      ['no running journey'],
    );
  });
});
