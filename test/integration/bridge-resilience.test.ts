import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { MAX_EVENT_BYTES, type RejectionReason } from '../../contract/events';
import { sql } from 'kysely';
import { findProfile } from '../../platform/db/profiles';
import { cancelJourneySignal, journeyStateQuery, journeyWorkflowId, type JourneyResult } from '../../contract/journeys';
import { TestApp } from '../support/app';
import { BridgeProcess } from '../support/bridge-process';
import { cartUpdated, customerUpdated, mug } from '../support/events';
import { messagesTo } from '../support/mailpit';
import { eventually, runId, sleep } from '../support/services';

/**
 * The bridge as its own process against real Kafka and Temporal: order per customer, dead
 * letters, a Temporal outage, kill -9, and two bridges sharing a consumer group. Every product view
 * is recorded once, in order, in the customer's browse journey, which is how "delivered exactly
 * once, in order" is checked.
 */
describe('bridge resilience on real Kafka and Temporal', () => {
  const app = new TestApp(
    'bridge',
    { CAMPAIGN_SETTINGS: JSON.stringify({ 'browse-abandonment': { emailDelay: '1 day' } }) },
    { inProcessBridge: false },
  );
  let counter = 0;

  before(async () => {
    await app.start();
  });
  after(async () => {
    await app.stop();
  });

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
    const state = await app.client.workflow
      .getHandle(journeyWorkflowId('browse-abandonment', customerId))
      .query(journeyStateQuery);
    return state.timeline
      .filter((entry) => entry.text.startsWith('viewed '))
      .map((entry) => entry.text.slice('viewed '.length));
  }

  async function expectEveryViewOnceInOrder(ids: string[], perCustomer: number): Promise<void> {
    const expected = Array.from({ length: perCustomer }, (_, index) => `v${index}`);
    for (const customerId of ids) {
      assert.deepEqual(await viewedBy(customerId), expected, `views of ${customerId}`);
    }
  }

  async function cancelAll(ids: string[]): Promise<void> {
    for (const customerId of ids) {
      await app.client.workflow
        .getHandle(journeyWorkflowId('browse-abandonment', customerId))
        .signal(cancelJourneySignal, { reason: 'test cleanup' });
    }
  }

  it("keeps each customer's events in order with many customers interleaved across partitions", async () => {
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

  it("coalesces a customer's burst into fewer signals than events, each event once and in order", async () => {
    const bridge = new BridgeProcess('burst', app.bridgeEnv);
    const [customerId] = customers('burst', 1);
    // The burst is on the topic before the bridge starts, so the bridge fetches it in one batch.
    const burst = views(customerId!, 20);
    const badAt = 10;
    await app.produceRaw([
      ...burst.slice(0, badAt).map((event) => ({ key: customerId!, value: JSON.stringify(event) })),
      { key: customerId!, value: '{"not":"an event"' },
      ...burst.slice(badAt).map((event) => ({ key: customerId!, value: JSON.stringify(event) })),
    ]);
    await bridge.start();
    try {
      await app.waitUntilConsumed(60_000);
      await expectEveryViewOnceInOrder([customerId!], 20);
      assert.equal(await bridge.metric('bridge_events_routed_total'), 20);
      const history = await app.client.workflow
        .getHandle(journeyWorkflowId('browse-abandonment', customerId!))
        .fetchHistory();
      const signals = (history.events ?? []).filter(
        (event) =>
          event.workflowExecutionSignaledEventAttributes !== undefined &&
          event.workflowExecutionSignaledEventAttributes !== null,
      );
      // The bad message splits the burst in two, each of them one call (a third if a fetch split the burst).
      assert.ok(signals.length >= 2 && signals.length <= 3, `${signals.length} signals for 20 views`);
      await eventually(
        'the bad message in the middle of the burst to be dead-lettered',
        () => Promise.resolve(app.deadLetters.filter((letter) => letter.key === customerId)),
        (letters) => letters.length === 1 && letters[0]!.value === '{"not":"an event"',
      );
      await cancelAll([customerId!]);
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
      const valid = (overrides: object, properties?: object) =>
        JSON.stringify({
          eventId: `bad-${counter++}`,
          type: 'product.viewed',
          customerId: key,
          occurredAt: now,
          properties: properties ?? { productId: 'p' },
          ...overrides,
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
        [
          'missing_field',
          key,
          valid({ type: 'cart.updated' }, { cartId: 'k', items: [{ productId: 'p', quantity: 1, price: 1 }] }),
        ],
        [
          'invalid_field',
          key,
          valid(
            { type: 'cart.updated' },
            { cartId: 'k', items: [{ productId: 'p', name: 'n', quantity: 0, price: 1 }] },
          ),
        ],
        [
          'invalid_field',
          key,
          valid(
            { type: 'cart.updated' },
            { cartId: 'k', items: [{ productId: 'p', name: 'n', quantity: 1, price: -5 }] },
          ),
        ],
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
      const letters = await eventually(
        'every dead letter',
        () => Promise.resolve(app.deadLetters.filter((letter) => letter.key !== good)),
        (list) => list.length >= cases.length,
        20_000,
      ).catch((error: Error) => {
        const seen = new Set(app.deadLetters.map((letter) => `${letter.key}|${letter.value ?? ''}`));
        const missing = cases
          .filter(([, messageKey, value]) => !seen.has(`${messageKey}|${value ?? ''}`))
          .map(([reason, , value]) => `${reason}: ${String(value).slice(0, 100)}`);
        throw new Error(`${error.message.slice(0, 200)}; not dead-lettered: ${missing.join('; ')}`);
      });
      for (const [reason, messageKey, value] of cases) {
        const letter = letters.find((entry) => entry.key === messageKey && (entry.value ?? '') === (value ?? ''));
        assert.ok(letter, `no dead letter for ${reason}: ${String(value).slice(0, 80)}`);
        assert.equal(
          letter.headers['dlq-reason'],
          reason,
          `${String(value).slice(0, 80)}: ${letter.headers['dlq-detail']}`,
        );
        assert.ok(
          letter.headers['dlq-first-seen-at'] &&
            letter.headers['dlq-source-partition'] &&
            letter.headers['dlq-source-offset'],
        );
      }
      assert.equal(new Set(cases.map(([reason]) => reason)).size, 10, 'every rejection reason is exercised');
      await expectEveryViewOnceInOrder([good!], 10);
      assert.equal(await bridge.metric('bridge_events_dead_lettered_total'), cases.length);
      await cancelAll([good!]);
    } finally {
      await bridge.stop('SIGTERM');
    }
  });

  it(
    'holds events through a 30 s Temporal outage and delivers each once afterwards, ' + 'with none dead-lettered',
    async () => {
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
        assert.ok(
          (await bridge.metric('bridge_event_retries_total')) > 0,
          'the bridge retried while Temporal was down',
        );
        await cancelAll(ids);
      } finally {
        await bridge.stop('SIGTERM');
      }
    },
  );

  it('loses nothing and duplicates nothing when the bridge is killed with -9 mid-stream and restarted', async () => {
    const bridge = new BridgeProcess('kill9', app.bridgeEnv);
    await bridge.start();
    const ids = customers('kill', 10);
    const stream = interleave(ids.map((customerId) => views(customerId, 15)));
    await app.produce(stream.slice(0, 75));
    await eventually(
      'some events routed',
      () => bridge.metric('bridge_events_routed_total'),
      (routed) => routed > 10,
      30_000,
    );
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
      await eventually(
        'both bridges to take a share',
        async () => [
          await first.metric('bridge_events_consumed_total'),
          await second.metric('bridge_events_consumed_total'),
        ],
        ([a, b]) => a! > 0 && b! > 0 && a! + b! >= 60,
        60_000,
      );
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

/**
 * Consent under bad timestamps and a store that refuses a write: the cart journey's first reminder
 * is due 3 s after the cart, and the opt-out arrives right behind the cart.
 */
describe(
  'opt-outs reach the profile and the journeys whatever their timestamp ' +
    '(real bridge, worker, PostgreSQL, Mailpit)',
  () => {
    const app = new TestApp('optout', {
      CAMPAIGN_SETTINGS: JSON.stringify({
        'cart-abandonment': { firstReminderDelay: '3s', secondReminderDelay: '1 day' },
      }),
    });
    let counter = 0;
    before(async () => {
      await app.start();
    });
    after(async () => {
      await app.stop();
    });

    const customer = (prefix: string) => `${prefix}-${(counter += 1)}-${runId}`;
    /** The current instant written with an offset no time zone has (+16:00): PostgreSQL refuses it. */
    const nowAtPlus16 = () => new Date(Date.now() + 16 * 3_600_000).toISOString().replace('Z', '+16:00');
    const unsubscribe = (customerId: string, channel: string, occurredAt: string) => ({
      eventId: `unsub-${customerId}`,
      type: 'customer.unsubscribed',
      customerId,
      occurredAt,
      properties: { channel },
    });
    const cartJourney = (customerId: string) =>
      app.client.workflow.getHandle(journeyWorkflowId('cart-abandonment', customerId));
    const deadLetterOf = (customerId: string) =>
      eventually(
        `the dead letter of ${customerId}`,
        () => Promise.resolve(app.deadLetters.filter((letter) => letter.key === customerId)),
        (list) => list.length > 0,
        20_000,
      );

    /** How the customer's cart journey ended, once it has (it must exist first). */
    async function journeyOutcome(customerId: string): Promise<string> {
      await eventually(
        `the cart journey of ${customerId} to end`,
        () => cartJourney(customerId).describe(),
        (description) => description.status.name !== 'RUNNING',
        20_000,
      );
      return ((await cartJourney(customerId).result()) as JourneyResult).outcome;
    }

    async function firstReminderStep(customerId: string): Promise<string> {
      const state = await eventually(
        'reminder 1 to be due and handled',
        () => cartJourney(customerId).query(journeyStateQuery),
        (value) => value.timeline.some((entry) => entry.text.startsWith('reminder-1 by email')),
        20_000,
      );
      return state.timeline.find((entry) => entry.text.startsWith('reminder-1 by email'))!.text;
    }

    it('an email unsubscribe dated +16:00 withdraws consent, so the reminder due after it is not sent', async () => {
      const customerId = customer('plus16');
      const email = `${customerId}@example.test`;
      await app.produce([
        customerUpdated(customerId, { email, emailOptIn: true }),
        cartUpdated(customerId, [mug]),
        unsubscribe(customerId, 'email', nowAtPlus16()),
      ]);

      const [letter] = await deadLetterOf(customerId);
      assert.equal(letter!.headers['dlq-reason'], 'invalid_timestamp', letter!.headers['dlq-detail']);
      assert.match(letter!.headers['dlq-detail'] ?? '', /offset \+16:00 .*; the opt-out was applied/);
      assert.equal((await findProfile(app.db, customerId))?.emailOptIn, false);
      assert.match(await firstReminderStep(customerId), /skipped: no email consent/);
      assert.equal((await messagesTo(email)).length, 0);
      await cartJourney(customerId).signal(cancelJourneySignal, { reason: 'test cleanup' });
    });

    it(
      'an unsubscribe from everything dated a day ahead still ends the journey, ' +
        'and is dead-lettered saying by how much',
      async () => {
        const customerId = customer('ahead');
        const email = `${customerId}@example.test`;
        await app.produce([
          customerUpdated(customerId, { email, emailOptIn: true }),
          cartUpdated(customerId, [mug]),
          unsubscribe(customerId, 'all', new Date(Date.now() + 23 * 3_600_000).toISOString()),
        ]);

        assert.equal(await journeyOutcome(customerId), 'unsubscribed');
        const [letter] = await deadLetterOf(customerId);
        assert.equal(letter!.headers['dlq-reason'], 'invalid_timestamp');
        assert.match(
          letter!.headers['dlq-detail'] ?? '',
          /is 2[23]h \d+m \d+s ahead of the bridge's clock; at most 5m 0s is accepted .*the opt-out was applied/,
        );
        assert.deepEqual(
          [(await findProfile(app.db, customerId))?.emailOptIn, (await messagesTo(email)).length],
          [false, 0],
        );
      },
    );

    it('a profile update dated hours ahead is dead-lettered and freezes nothing: the next update applies', async () => {
      const customerId = customer('frozen');
      await app.produce([
        customerUpdated(
          customerId,
          { email: `${customerId}-a@example.test`, emailOptIn: true },
          new Date(Date.now() + 3 * 3_600_000),
        ),
        customerUpdated(customerId, { email: `${customerId}-b@example.test`, emailOptIn: true }),
      ]);
      await app.waitUntilConsumed();
      const [letter] = await deadLetterOf(customerId);
      assert.equal(letter!.headers['dlq-reason'], 'invalid_timestamp');
      assert.doesNotMatch(letter!.headers['dlq-detail'] ?? '', /opt-out/, 'an opt-in is not an opt-out');
      assert.equal((await findProfile(app.db, customerId))?.email, `${customerId}-b@example.test`);
    });

    it('a cart dated hours ahead does not make the emptied cart that follows it stale', async () => {
      const customerId = customer('cart-ahead');
      const email = `${customerId}@example.test`;
      const emptied = { ...cartUpdated(customerId, []), occurredAt: new Date(Date.now() + 1000).toISOString() };
      await app.produce([
        customerUpdated(customerId, { email, emailOptIn: true }),
        cartUpdated(customerId, [mug]),
        cartUpdated(customerId, [mug, mug], new Date(Date.now() + 3 * 3_600_000)),
        emptied,
      ]);
      assert.equal(await journeyOutcome(customerId), 'cart_emptied');
      assert.equal((await messagesTo(email)).length, 0);
    });

    describe('when PostgreSQL refuses a profile write for good', () => {
      const refusing = `nostore-${runId}`;
      before(async () => {
        // A stand-in for any permanent refusal (class 22): the store will not take this customer's opt-outs or
        // this address.
        await sql
          .raw(
            `create or replace function refuse_${refusing.replace(/\W/g, '_')}() returns trigger language plpgsql as $$
        begin
          if new.customer_id like '${refusing}%' and (new.email_opt_in is distinct from old.email_opt_in ` +
              `and not new.email_opt_in and new.customer_id like '%-all-%'
              or new.email like '%@refused.example') then
            raise exception 'refused for the test' using errcode = '22023';
          end if;
          return new;
        end $$`,
          )
          .execute(app.db);
        await sql
          .raw(
            `create trigger refuse_${refusing.replace(/\W/g, '_')} before update on customer_profiles ` +
              `for each row execute function refuse_${refusing.replace(/\W/g, '_')}()`,
          )
          .execute(app.db);
      });
      after(async () => {
        await sql
          .raw(`drop trigger if exists refuse_${refusing.replace(/\W/g, '_')} on customer_profiles`)
          .execute(app.db);
        await sql.raw(`drop function if exists refuse_${refusing.replace(/\W/g, '_')}()`).execute(app.db);
      });

      it(
        'an unsubscribe from everything still reaches the journeys, ' + 'then is dead-lettered as unprocessable',
        async () => {
          const customerId = `${refusing}-all-${(counter += 1)}`;
          const email = `${customerId}@example.test`;
          await app.produce([
            customerUpdated(customerId, { email, emailOptIn: true }),
            cartUpdated(customerId, [mug]),
            unsubscribe(customerId, 'all', new Date().toISOString()),
          ]);
          assert.equal(await journeyOutcome(customerId), 'unsubscribed');
          const [letter] = await deadLetterOf(customerId);
          assert.equal(letter!.headers['dlq-reason'], 'unprocessable');
          assert.match(letter!.headers['dlq-detail'] ?? '', /refused for the test.*journeys were told/);
          assert.equal((await messagesTo(email)).length, 0);
        },
      );

      it('an update that withdraws consent with an address the store refuses still withdraws the consent', async () => {
        const customerId = `${refusing}-update-${(counter += 1)}`;
        const email = `${customerId}@example.test`;
        await app.produce([
          customerUpdated(customerId, { email, emailOptIn: true }),
          cartUpdated(customerId, [mug]),
          customerUpdated(customerId, { email: `${customerId}@refused.example`, emailOptIn: false }),
        ]);
        const [letter] = await deadLetterOf(customerId);
        assert.equal(letter!.headers['dlq-reason'], 'unprocessable');
        assert.match(letter!.headers['dlq-detail'] ?? '', /the opt-out was applied/);
        assert.doesNotMatch(letter!.headers['dlq-detail'] ?? '', /@refused\.example/, 'no address in the detail');
        assert.deepEqual(
          await findProfile(app.db, customerId).then((profile) => [profile?.email, profile?.emailOptIn]),
          [email, false],
        );
        assert.match(await firstReminderStep(customerId), /skipped: no email consent/);
        assert.equal((await messagesTo(email)).length, 0);
        await cartJourney(customerId).signal(cancelJourneySignal, { reason: 'test cleanup' });
      });
    });
  },
);
