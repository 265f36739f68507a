import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import {
  AMBIGUOUS_REASON,
  CAPPED_REASON,
  findDelivery,
  confirmSent,
  recordSkipped,
  releaseReservation,
  reserveDelivery,
  type DeliveryKey,
} from '../../platform/db/delivery-ledger';
import { requireServices, runId, sleep, stackEnv } from '../support/services';

describe('delivery ledger (PostgreSQL)', () => {
  let db: Db;
  let counter = 0;
  const key = (): DeliveryKey => ({
    idempotencyKey: `ledger-test:${runId}:${(counter += 1)}`,
    campaign: 'cart-abandonment',
    customerId: `ledger-${runId}`,
    step: 'reminder-1',
    channel: 'email',
  });

  const address = 'ledger-recipient@example.test';
  const opts = (leaseMs: number) => ({ leaseMs, contactAtMs: Date.now(), cap: { limit: 0, windowMs: 0 }, address });

  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 4);
    await migrateToLatest(db);
  });
  after(async () => {
    await db.destroy();
  });

  it('lets exactly one of many concurrent executions reserve a send', async () => {
    const k = key();
    const results = await Promise.all(Array.from({ length: 8 }, () => reserveDelivery(db, k, '<m@x>', opts(60_000))));
    assert.equal(results.filter((result) => result.kind === 'reserved').length, 1);
    assert.equal(results.filter((result) => result.kind === 'in_progress').length, 7);
  });

  it('returns the recorded delivery once the send is confirmed', async () => {
    const k = key();
    assert.equal((await reserveDelivery(db, k, '<m@x>', opts(60_000))).kind, 'reserved');
    await confirmSent(db, k.idempotencyKey, '<m@x>');
    const again = await reserveDelivery(db, k, '<m@x>', opts(60_000));
    assert.equal(again.kind, 'settled');
    assert.equal(again.kind === 'settled' && again.record.state, 'sent');
  });

  it('settles a reservation that outlived its lease as unknown instead of sending again', async () => {
    const k = key();
    await reserveDelivery(db, k, '<m@x>', opts(50));
    await sleep(200);
    const after = await reserveDelivery(db, k, '<m@x>', opts(50));
    assert.equal(after.kind, 'settled');
    if (after.kind !== 'settled') return;
    assert.equal(after.record.state, 'unknown');
    assert.equal(after.record.reason, AMBIGUOUS_REASON);
    assert.equal(after.record.attempts, 2);
  });

  it('allows a new attempt after a reservation is released, and counts the attempts', async () => {
    const k = key();
    await reserveDelivery(db, k, '<m@x>', opts(60_000));
    await releaseReservation(db, k.idempotencyKey, 'will retry: ECONNREFUSED');
    assert.equal((await findDelivery(db, k.idempotencyKey))?.state, 'retrying');
    assert.equal((await reserveDelivery(db, k, '<m@x>', opts(60_000))).kind, 'reserved');
    await confirmSent(db, k.idempotencyKey, 'provider-1');
    const record = await findDelivery(db, k.idempotencyKey);
    assert.deepEqual([record?.state, record?.attempts, record?.providerMessageId], ['sent', 2, 'provider-1']);
  });

  it('lets only one of two journeys racing for the same customer and channel pass the frequency cap', async () => {
    const customerId = `capped-${runId}`;
    const at = Date.parse('2030-01-01T12:00:00Z');
    const racers = ['cart-abandonment', 'browse-abandonment', 'churn-retention'].map((campaign) =>
      reserveDelivery(
        db,
        { idempotencyKey: `${campaign}:${customerId}:j:s:email`, campaign, customerId, step: 's', channel: 'email' },
        '<m@x>',
        { leaseMs: 60_000, contactAtMs: at, cap: { limit: 1, windowMs: 86_400_000 }, address },
      ),
    );
    const results = await Promise.all(racers);
    assert.equal(results.filter((result) => result.kind === 'reserved').length, 1);
    const capped = results.filter(
      (result) =>
        result.kind === 'settled' && result.record.state === 'skipped' && result.record.reason === CAPPED_REASON,
    );
    assert.equal(capped.length, 2);
    const nextDay = await reserveDelivery(
      db,
      { idempotencyKey: `later:${customerId}`, campaign: 'cart-abandonment', customerId, step: 't', channel: 'email' },
      '<m@x>',
      { leaseMs: 60_000, contactAtMs: at + 86_400_001, cap: { limit: 1, windowMs: 86_400_000 }, address },
    );
    assert.equal(nextDay.kind, 'reserved', 'the cap window slides: a day later the customer may be contacted again');
  });

  describe('the frequency cap, whatever the order of reservation', () => {
    const HOUR = 3_600_000;
    const day = { limit: 1, windowMs: 24 * HOUR };
    const base = Date.parse('2031-03-01T12:00:00Z');
    const reserveAt = (customerId: string, name: string, atMs: number, cap: { limit: number; windowMs: number }) =>
      reserveDelivery(
        db,
        {
          idempotencyKey: `${name}:${customerId}`,
          campaign: 'cart-abandonment',
          customerId,
          step: name,
          channel: 'email',
        },
        '<m@x>',
        { leaseMs: 60_000, contactAtMs: atMs, cap, address },
      );
    const state = (reservation: Awaited<ReturnType<typeof reserveDelivery>>) =>
      reservation.kind === 'settled' ? `${reservation.record.state}: ${reservation.record.reason}` : reservation.kind;

    it('blocks an earlier contact when a later one, closer than the window, reserved first', async () => {
      const customerId = `cap-later-first-${runId}`;
      assert.equal(state(await reserveAt(customerId, 'later', base + 12 * HOUR, day)), 'reserved');
      assert.equal(state(await reserveAt(customerId, 'earlier', base, day)), `skipped: ${CAPPED_REASON}`);
    });

    it('allows contacts exactly one window apart, in either order', async () => {
      const customerId = `cap-window-apart-${runId}`;
      assert.equal(state(await reserveAt(customerId, 'later', base + 24 * HOUR, day)), 'reserved');
      assert.equal(state(await reserveAt(customerId, 'earlier', base, day)), 'reserved');
    });

    it('with a limit of 2, refuses a third contact inside any window, even between two reserved ones', async () => {
      const customerId = `cap-between-${runId}`;
      const two = { limit: 2, windowMs: 24 * HOUR };
      assert.equal(state(await reserveAt(customerId, 'first', base, two)), 'reserved');
      assert.equal(state(await reserveAt(customerId, 'third', base + 20 * HOUR, two)), 'reserved');
      assert.equal(
        state(await reserveAt(customerId, 'middle', base + 10 * HOUR, two)),
        `skipped: ${CAPPED_REASON}`,
        'first, middle and third would share one 24 h window',
      );
    });

    it('with a limit of 2, allows a contact whose every window holds at most 2', async () => {
      const customerId = `cap-spread-${runId}`;
      const two = { limit: 2, windowMs: 24 * HOUR };
      assert.equal(state(await reserveAt(customerId, 'first', base, two)), 'reserved');
      assert.equal(state(await reserveAt(customerId, 'last', base + 30 * HOUR, two)), 'reserved');
      assert.equal(
        state(await reserveAt(customerId, 'middle', base + 10 * HOUR, two)),
        'reserved',
        'windows [0 h, 24 h) and [10 h, 34 h) each hold two',
      );
    });
  });

  it('settles a key waiting for a retry as skipped when consent is withdrawn in between', async () => {
    const k = key();
    await reserveDelivery(db, k, '<m@x>', opts(60_000));
    await releaseReservation(db, k.idempotencyKey, 'will retry: ECONNREFUSED');
    const record = await recordSkipped(db, k, 'no email consent');
    assert.deepEqual([record.state, record.reason], ['skipped', 'no email consent']);
  });

  it('never overwrites a sent delivery with a skip', async () => {
    const k = key();
    await reserveDelivery(db, k, '<m@x>', opts(60_000));
    await confirmSent(db, k.idempotencyKey, '<m@x>');
    const record = await recordSkipped(db, k, 'no email consent');
    assert.equal(record.state, 'sent');
  });
});
