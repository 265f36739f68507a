import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MAX_EVENT_BYTES, type RejectionReason } from '../../contract/events';
import { cancelJourneySignal, journeyStateQuery, journeyWorkflowId } from '../../workflows/definitions';
import { TestApp } from '../support/app';
import { BridgeProcess } from '../support/bridge-process';
import { eventually, runId, sleep } from '../support/services';

/**
 * The bridge as its own process against real Kafka and Temporal: order per customer, dead
 * letters, a Temporal outage, kill -9, and two bridges sharing a consumer group. Every product view
 * is recorded once, in order, in the customer's browse journey, which is how "delivered exactly
 * once, in order" is checked.
 */
describe('bridge resilience on real Kafka and Temporal', () => {
  const app = new TestApp('bridge', { CAMPAIGN_SETTINGS: JSON.stringify({ 'browse-abandonment': { emailDelay: '1 day' } }) }, { inProcessBridge: false });
  let counter = 0;

  before(async () => { await app.start(); });
  after(async () => { await app.stop(); });

  function views(customerId: string, count: number) {
    const base = Date.now();
    return Array.from({ length: count }, (_, index) => ({
      eventId: `view-${customerId}-${index}`,
      type: 'product.viewed',
      customerId,
      occurredAt: new Date(base + index).toISOString(),
      properties: { productId: `p${index}`, name: `v${index}` },
    }));
  }

  function customers(prefix: string, count: number): string[] {
    counter += 1;
    return Array.from({ length: count }, (_, index) => `${prefix}${counter}-${index}-${runId}`);
  }

  /** Round-robin across customers, so their events interleave on every partition. */
  function interleave<T>(lists: T[][]): T[] {
    const out: T[] = [];
    for (let index = 0; index < Math.max(...lists.map((list) => list.length)); index += 1) {
      for (const list of lists) if (list[index]) out.push(list[index]!);
    }
    return out;
  }

  async function viewedBy(customerId: string): Promise<string[]> {
    const state = await app.client.workflow.getHandle(journeyWorkflowId('browse-abandonment', customerId)).query(journeyStateQuery);
    return state.timeline.filter((entry) => entry.text.startsWith('viewed ')).map((entry) => entry.text.slice('viewed '.length));
  }

  async function expectEveryViewOnceInOrder(ids: string[], perCustomer: number): Promise<void> {
    const expected = Array.from({ length: perCustomer }, (_, index) => `v${index}`);
    for (const customerId of ids) {
      assert.deepEqual(await viewedBy(customerId), expected, `views of ${customerId}`);
    }
  }

  async function cancelAll(ids: string[]): Promise<void> {
    for (const customerId of ids) {
      await app.client.workflow.getHandle(journeyWorkflowId('browse-abandonment', customerId)).signal(cancelJourneySignal, { reason: 'test cleanup' });
    }
  }

  it('keeps each customer\'s events in order with many customers interleaved across partitions', async () => {
    const bridge = new BridgeProcess('order', app.bridgeEnv);
    await bridge.start();
    try {
      const ids = customers('order', 24);
      const stream = interleave(ids.map((customerId) => views(customerId, 12)));
      for (let index = 0; index < stream.length; index += 48) await app.produce(stream.slice(index, index + 48));
      await app.waitUntilConsumed(60_000);
      await expectEveryViewOnceInOrder(ids, 12);
      assert.equal(await bridge.metric('bridge_events_routed_total'), 24 * 12);
      await cancelAll(ids);
    } finally {
      assert.equal(await bridge.stop('SIGTERM'), 0, 'a graceful stop exits 0');
    }
  });

  it('dead-letters 30+ kinds of bad input with the right reason while valid traffic keeps flowing', async () => {
    const bridge = new BridgeProcess('dlq', app.bridgeEnv);
    await bridge.start();
    try {
      const [good] = customers('dlq', 1);
      const key = `bad-${runId}`;
      const now = new Date().toISOString();
      const valid = (overrides: object, properties?: object) => JSON.stringify({
        eventId: `bad-${counter++}`, type: 'product.viewed', customerId: key, occurredAt: now, properties: properties ?? { productId: 'p' }, ...overrides,
      });
      const cases: Array<[RejectionReason, string | null, string | null]> = [
        ['empty_message', key, ''],
        ['empty_message', key, null],
        ['invalid_json', key, 'not json at all'],
        ['invalid_json', key, '{"eventId":"truncated",'],
        ['invalid_json', key, "{'single':'quotes'}"],
        ['not_an_object', key, '[1,2,3]'],
        ['not_an_object', key, '"a string"'],
        ['not_an_object', key, '42'],
        ['not_an_object', key, 'null'],
        ['missing_field', key, valid({ eventId: undefined })],
        ['missing_field', key, valid({ type: undefined })],
        ['missing_field', key, valid({ customerId: undefined })],
        ['missing_field', key, valid({ occurredAt: undefined })],
        ['invalid_field', key, valid({ customerId: 12345 })],
        ['invalid_field', key, valid({ eventId: '' })],
        ['invalid_field', key, valid({ eventId: 'x'.repeat(129) })],
        ['invalid_field', key, valid({ eventId: 'line\nbreak' })],
        ['invalid_field', key, valid({ properties: 'not an object' })],
        ['unknown_type', key, valid({ type: 'cart.exploded' })],
        ['unknown_type', key, valid({ type: '<script>alert(1)</script>' })],
        ['invalid_timestamp', key, valid({ occurredAt: 'yesterday' })],
        ['invalid_timestamp', key, valid({ occurredAt: '2026-01-01 10:00' })],
        ['invalid_timestamp', key, valid({ occurredAt: '1970-01-01T00:00:00Z' })],
        ['invalid_timestamp', key, valid({ occurredAt: '2999-01-01T00:00:00Z' })],
        ['missing_field', key, valid({}, {})],
        ['invalid_field', key, valid({ type: 'cart.updated' }, { cartId: 'k', items: 'lots' })],
        ['missing_field', key, valid({ type: 'cart.updated' }, { cartId: 'k', items: [{ productId: 'p', quantity: 1, price: 1 }] })],
        ['invalid_field', key, valid({ type: 'cart.updated' }, { cartId: 'k', items: [{ productId: 'p', name: 'n', quantity: 0, price: 1 }] })],
        ['invalid_field', key, valid({ type: 'cart.updated' }, { cartId: 'k', items: [{ productId: 'p', name: 'n', quantity: 1, price: -5 }] })],
        ['invalid_field', key, valid({ type: 'churn.risk_scored' }, { score: 1.5 })],
        ['invalid_field', key, valid({ type: 'customer.updated' }, { phone: '06 12 34 56 78' })],
        ['invalid_field', key, valid({ type: 'customer.updated' }, { email: 'not-an-email' })],
        ['invalid_field', key, valid({ type: 'customer.updated' }, { timezone: 'Mars/Olympus_Mons' })],
        ['invalid_field', key, valid({ type: 'customer.unsubscribed' }, { channel: 'fax' })],
        ['invalid_field', key, valid({}, { productId: 'p', url: 'javascript:alert(1)' })],
        ['missing_key', null, valid({})],
        ['key_mismatch', 'someone-else', valid({})],
        ['oversized', key, valid({ padding: 'x'.repeat(MAX_EVENT_BYTES) })],
      ];
      const goodViews = views(good!, 10);
      for (let index = 0; index < cases.length; index += 1) {
        const [, messageKey, value] = cases[index]!;
        await app.produceRaw([{ key: messageKey, value }]);
        if (goodViews[index]) await app.produce([goodViews[index]!]);
      }
      await app.waitUntilConsumed(60_000);
      const letters = await eventually('every dead letter', () => Promise.resolve(app.deadLetters.filter((letter) => letter.key !== good)),
        (list) => list.length >= cases.length, 20_000).catch((error: Error) => {
        const seen = new Set(app.deadLetters.map((letter) => `${letter.key}|${letter.value ?? ''}`));
        const missing = cases.filter(([, messageKey, value]) => !seen.has(`${messageKey}|${value ?? ''}`)).map(([reason, , value]) => `${reason}: ${String(value).slice(0, 100)}`);
        throw new Error(`${error.message.slice(0, 200)}; not dead-lettered: ${missing.join('; ')}`);
      });
      for (const [reason, messageKey, value] of cases) {
        const letter = letters.find((entry) => entry.key === messageKey && (entry.value ?? '') === (value ?? ''));
        assert.ok(letter, `no dead letter for ${reason}: ${String(value).slice(0, 80)}`);
        assert.equal(letter.headers['dlq-reason'], reason, `${String(value).slice(0, 80)}: ${letter.headers['dlq-detail']}`);
        assert.ok(letter.headers['dlq-first-seen-at'] && letter.headers['dlq-source-partition'] && letter.headers['dlq-source-offset']);
      }
      assert.equal(new Set(cases.map(([reason]) => reason)).size, 10, 'every rejection reason is exercised');
      await expectEveryViewOnceInOrder([good!], 10);
      assert.equal(await bridge.metric('bridge_events_dead_lettered_total'), cases.length);
      await cancelAll([good!]);
    } finally {
      await bridge.stop('SIGTERM');
    }
  });

  it('holds events through a 30 s Temporal outage and delivers each once afterwards, with none dead-lettered', async () => {
    const bridge = new BridgeProcess('outage', app.bridgeEnv);
    await bridge.start();
    const lettersBefore = app.deadLetters.length;
    const ids = customers('outage', 8);
    const stream = interleave(ids.map((customerId) => views(customerId, 15)));
    try {
      await app.produce(stream.slice(0, 40));
      execFileSync('bash', ['infra/temporal.sh', 'stop'], { stdio: 'inherit' });
      const outageEnds = Date.now() + 30_000;
      for (let index = 40; index < stream.length; index += 10) {
        await app.produce(stream.slice(index, index + 10));
        await sleep(2_000);
      }
      await sleep(Math.max(0, outageEnds - Date.now()));
    } finally {
      execFileSync('bash', ['infra/temporal.sh', 'start'], { stdio: 'inherit' });
    }
    try {
      await app.waitUntilConsumed(120_000);
      await expectEveryViewOnceInOrder(ids, 15);
      assert.equal(app.deadLetters.length, lettersBefore, 'an outage is not a reason to dead-letter');
      assert.ok(await bridge.metric('bridge_event_retries_total') > 0, 'the bridge retried while Temporal was down');
      await cancelAll(ids);
    } finally {
      await bridge.stop('SIGTERM');
    }
  });

  it('loses nothing and duplicates nothing when the bridge is killed with -9 mid-stream and restarted', async () => {
    const bridge = new BridgeProcess('kill9', app.bridgeEnv);
    await bridge.start();
    const ids = customers('kill', 10);
    const stream = interleave(ids.map((customerId) => views(customerId, 15)));
    await app.produce(stream.slice(0, 75));
    await eventually('some events routed', () => bridge.metric('bridge_events_routed_total'), (routed) => routed > 10, 30_000);
    assert.equal(await bridge.stop('SIGKILL'), null);
    await app.produce(stream.slice(75));
    await bridge.start();
    await app.waitUntilConsumed(90_000);
    await expectEveryViewOnceInOrder(ids, 15);
    await cancelAll(ids);
    await bridge.stop('SIGTERM');
  });

  it('shares partitions between two bridges in one group and hands them over on rebalance', async () => {
    const first = new BridgeProcess('pair-a', app.bridgeEnv);
    const second = new BridgeProcess('pair-b', app.bridgeEnv);
    await first.start();
    await second.start();
    const ids = customers('pair', 12);
    const stream = interleave(ids.map((customerId) => views(customerId, 10)));
    try {
      await app.produce(stream.slice(0, 60));
      await eventually('both bridges to take a share', async () => [await first.metric('bridge_events_consumed_total'), await second.metric('bridge_events_consumed_total')],
        ([a, b]) => a! > 0 && b! > 0 && a! + b! >= 60, 60_000);
      assert.equal(await first.stop('SIGTERM'), 0);
      await app.produce(stream.slice(60));
      await app.waitUntilConsumed(90_000);
      await expectEveryViewOnceInOrder(ids, 10);
      await cancelAll(ids);
    } finally {
      await first.stop('SIGTERM');
      await second.stop('SIGTERM');
    }
  });
});
