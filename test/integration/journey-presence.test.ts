import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { sql } from 'kysely';
import { journeyWorkflowId } from '../../contract/journeys';
import type { CustomerEvent } from '../../contract/events';
import { findPresence, forgetPresence, markPossiblyRunning } from '../../platform/db/journey-presence';
import {
  backfillPresence,
  postgresPresence,
  UNTRACKED_PRESENCE,
  type JourneyPresence,
} from '../../platform/temporal/journey-presence';
import { JourneyClient } from '../../platform/temporal/journeys';
import { TestApp } from '../support/app';
import { contactableCustomer } from '../support/customers';
import { throwawayDatabase } from '../support/databases';
import { cartUpdated, mug, orderPlaced, productViewed } from '../support/events';
import { eventually } from '../support/services';
import { resultWithin } from '../support/temporal';

const CART = 'cart-abandonment';
const BROWSE = 'browse-abandonment';

/** A journey client that counts its Temporal calls, and can hold its next signal-with-start at the gate. */
function instrumentedJourneys(app: TestApp, presence: JourneyPresence) {
  const calls = { signal: 0, signalWithStart: 0 };
  let gate: { reached: () => void; released: Promise<void> } | null = null;
  const counting: WorkflowClientInterceptor = {
    signal: (input, next) => {
      calls.signal += 1;
      return next(input);
    },
    signalWithStart: async (input, next) => {
      calls.signalWithStart += 1;
      const held = gate;
      gate = null;
      if (held) {
        held.reached();
        await held.released;
      }
      return next(input);
    },
  };
  const client = new Client({
    connection: app.client.connection,
    namespace: app.client.options.namespace,
    interceptors: { workflow: [counting] },
  });
  return {
    journeys: new JourneyClient(client, app.taskQueue, presence),
    calls,
    /** Holds the next signal-with-start once its presence is written; `reached` resolves when it is held. */
    holdNextStart: () => {
      let release!: () => void;
      let reached!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
      gate = { reached, released };
      return { reached: reachedPromise, release };
    },
  };
}

/**
 * The journey presence record on the real stack (its own database, since its backfill mark is
 * database-wide): a signal only to a running journey asks Temporal only when a start was attempted.
 */
describe('journey presence: signalling only journeys that may run', () => {
  let database: Awaited<ReturnType<typeof throwawayDatabase>>;
  let app: TestApp;

  before(async () => {
    database = await throwawayDatabase('campaigns_presence');
    app = new TestApp('presence', { DATABASE_URL: database.url });
    await app.start();
  });
  after(async () => {
    await app?.stop();
    await database?.drop();
  });

  const cart = (customerId: string) => cartUpdated(customerId, [mug]) as CustomerEvent;
  const order = (customerId: string) => orderPlaced(customerId) as CustomerEvent;
  const admitted = (campaign: string, customerId: string) =>
    eventually(
      `the ${campaign} journey of ${customerId} to be admitted`,
      () =>
        app.db
          .selectFrom('journeys')
          .select('journey_id')
          .where('campaign', '=', campaign)
          .where('customer_id', '=', customerId)
          .executeTakeFirst(),
      Boolean,
    );
  const presenceRow = (campaign: string, customerId: string) => findPresence(app.db, { campaign, customerId }, 0);

  it('makes no Temporal call for an order to a browse journey that was never started', async () => {
    const { customerId } = await contactableCustomer(app.db, 'never');
    const { journeys, calls } = instrumentedJourneys(app, postgresPresence(app.db));
    assert.equal(await journeys.signalIfRunning(BROWSE, order(customerId)), false);
    assert.deepEqual(calls, { signal: 0, signalWithStart: 0 });
  });

  it('delivers an order to a journey an operator started: the start wrote the record', async () => {
    const { customerId } = await contactableCustomer(app.db, 'operator');
    const { journeys, calls } = instrumentedJourneys(app, postgresPresence(app.db));
    await journeys.start(CART, cart(customerId), { startedBy: 'an operator (test)' });
    assert.equal(await journeys.signalIfRunning(CART, order(customerId)), true);
    assert.equal(calls.signal, 1);
    const result = await resultWithin(app.client, journeyWorkflowId(CART, customerId));
    assert.deepEqual([result.outcome, result.messagesSent], ['converted', 0]);
  });

  it('keeps the record of a start under way when an order finds no journey: the next order reaches it', async () => {
    const { customerId } = await contactableCustomer(app.db, 'in-flight');
    const { journeys, calls, holdNextStart } = instrumentedJourneys(app, postgresPresence(app.db));
    const held = holdNextStart();
    const starting = journeys.startOrSignal(CART, cart(customerId));
    await held.reached; // the record is written; the journey is not in Temporal yet

    assert.equal(await journeys.signalIfRunning(CART, order(customerId)), false, 'no journey runs yet');
    assert.equal(calls.signal, 1, 'the record said one may run, so Temporal was asked');
    assert.notEqual(await presenceRow(CART, customerId), null, 'the record of the start under way is kept');

    held.release();
    await starting;
    assert.equal(await journeys.signalIfRunning(CART, order(customerId)), true, 'the next order reaches the journey');
    const result = await resultWithin(app.client, journeyWorkflowId(CART, customerId));
    assert.deepEqual([result.outcome, result.messagesSent], ['converted', 0]);
  });

  it('forgets the record of an ended journey once Temporal finds none, and asks no more', async () => {
    const { customerId } = await contactableCustomer(app.db, 'ended');
    const { journeys, calls } = instrumentedJourneys(app, postgresPresence(app.db, { settleMs: 0 }));
    await journeys.startOrSignal(BROWSE, productViewed(customerId) as CustomerEvent);
    await admitted(BROWSE, customerId); // admission writes the record too
    await app.client.workflow.getHandle(journeyWorkflowId(BROWSE, customerId)).terminate('test: the journey ended');

    assert.equal(await journeys.signalIfRunning(BROWSE, order(customerId)), false);
    assert.equal(calls.signal, 1);
    assert.equal(await presenceRow(BROWSE, customerId), null, 'the record is forgotten');
    assert.equal(await journeys.signalIfRunning(BROWSE, order(customerId)), false);
    assert.equal(calls.signal, 1, 'the second order made no call');
  });

  it('forgets a record only as it was read: a start written since keeps it', async () => {
    const key = { campaign: CART, customerId: (await contactableCustomer(app.db, 'generation')).customerId };
    await markPossiblyRunning(app.db, [key]);
    const read = await findPresence(app.db, key, 0);
    assert.ok(read);
    await markPossiblyRunning(app.db, [key]);
    assert.equal(await forgetPresence(app.db, read), false, 'the row was rewritten since it was read');
    const reread = await findPresence(app.db, key, 0);
    assert.ok(reread && reread.generation !== read.generation);
    assert.equal(await forgetPresence(app.db, reread), true);
    assert.equal(await findPresence(app.db, key, 0), null);
  });

  it('writes the record at admission of a journey started another way; backfills journeys from before it', async () => {
    const { customerId } = await contactableCustomer(app.db, 'backfill');
    const untracked = new JourneyClient(app.client, app.taskQueue, UNTRACKED_PRESENCE);
    await untracked.startOrSignal(CART, cart(customerId));
    await eventually('the worker to write the record at admission', () => presenceRow(CART, customerId), Boolean);

    // As on a database from before the record: the running journey has no row and nothing is trusted.
    await sql`delete from journey_presence where customer_id = ${customerId}`.execute(app.db);
    await sql`delete from journey_presence_backfill`.execute(app.db);
    const { journeys, calls } = instrumentedJourneys(app, postgresPresence(app.db));
    assert.equal(await journeys.signalIfRunning(BROWSE, order(customerId)), false);
    assert.equal(calls.signal, 1, 'an untrusted record asks Temporal');

    assert.ok((await backfillPresence(app.db, journeys)) >= 1);
    assert.notEqual(await presenceRow(CART, customerId), null, 'the running journey is in the record');
    const trusted = instrumentedJourneys(app, postgresPresence(app.db));
    assert.equal(await trusted.journeys.signalIfRunning(BROWSE, order(customerId)), false);
    assert.equal(trusted.calls.signal, 0, 'trusted once backfilled: no browse journey, no call');
    assert.equal(await trusted.journeys.signalIfRunning(CART, order(customerId)), true);
    const result = await resultWithin(app.client, journeyWorkflowId(CART, customerId));
    assert.equal(result.outcome, 'converted');
  });
});
