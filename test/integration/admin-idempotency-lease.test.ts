import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Request } from 'express';
import { sql } from 'kysely';
import { HttpError } from '../../admin/errors';
import { idempotentPosts } from '../../admin/idempotency';
import type { RouteResult } from '../../admin/route';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import { requireServices, runId, stackEnv } from '../support/services';

const TTL_MS = 24 * 3_600_000;
const LEASE_MS = 60_000;

function post(key: string, body: unknown): Request {
  const headers: Record<string, string> = { 'idempotency-key': key };
  return {
    method: 'POST',
    path: '/campaigns/cart-abandonment/journeys',
    body,
    get: (name: string) => headers[name.toLowerCase()],
  } as unknown as Request;
}

/** A request whose handler never returns: the admin process died while handling it. */
const crashed = () => new Promise<RouteResult>(() => undefined);

describe('admin Idempotency-Key lease on the real PostgreSQL', () => {
  let db: Db;
  let counter = 0;
  const idempotent = () => idempotentPosts(db, TTL_MS, LEASE_MS);
  const newKey = () => `lease-${runId}-${counter++}`;

  /** Moves a key's claim into the past, as if its request had started that long ago. */
  async function ageClaim(key: string, ageMs: number): Promise<void> {
    await db
      .updateTable('admin_idempotency_keys')
      .set({ created_at: sql<Date>`now() - make_interval(secs => ${ageMs / 1000})` })
      .where('key', '=', key)
      .execute();
  }

  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 2);
    await migrateToLatest(db);
  });
  after(async () => {
    await db?.deleteFrom('admin_idempotency_keys').where('key', 'like', `lease-${runId}-%`).execute();
    await db?.destroy();
  });

  it('lets the next request with the same key and body take over a claim left in progress past the lease', async () => {
    const key = newKey();
    const body = { customerId: 'c-lease', items: [] };
    void idempotent()(post(key, body), crashed);
    await eventuallyClaimed(key);
    await ageClaim(key, LEASE_MS + 1_000);

    let runs = 0;
    const retried = await idempotent()(post(key, body), () => {
      runs += 1;
      return Promise.resolve({ status: 201, body: { started: true } });
    });
    assert.deepEqual(retried, { status: 201, body: { started: true } });
    assert.equal(runs, 1, 'the retry ran the request');
    const replay = await idempotent()(post(key, body), () => {
      runs += 1;
      return Promise.resolve({ status: 500, body: {} });
    });
    assert.deepEqual(replay, { status: 201, body: { started: true }, replayed: true });
    assert.equal(runs, 1, 'the answer is kept once the retry completed');
  });

  it('still answers 409 while the lease runs, and 422 for another body even past it', async () => {
    const key = newKey();
    void idempotent()(post(key, { customerId: 'c1' }), crashed);
    await eventuallyClaimed(key);
    await ageClaim(key, LEASE_MS - 5_000);
    await assert.rejects(
      idempotent()(post(key, { customerId: 'c1' }), () => Promise.resolve({ status: 201, body: {} })),
      (error: HttpError) => error.status === 409 && error.body.error === 'request_in_progress',
    );
    await ageClaim(key, LEASE_MS + 1_000);
    await assert.rejects(
      idempotent()(post(key, { customerId: 'someone-else' }), () => Promise.resolve({ status: 201, body: {} })),
      (error: HttpError) => error.status === 422,
    );
  });

  it('does not let the first request, finishing late, overwrite the answer of the one that took over', async () => {
    const key = newKey();
    const body = { customerId: 'c-late' };
    let finishFirst: (result: RouteResult) => void = () => undefined;
    const first = idempotent()(
      post(key, body),
      () =>
        new Promise<RouteResult>((resolve) => {
          finishFirst = resolve;
        }),
    );
    await eventuallyClaimed(key);
    await ageClaim(key, LEASE_MS + 1_000);
    assert.deepEqual(
      await idempotent()(post(key, body), () => Promise.resolve({ status: 201, body: { by: 'second' } })),
      { status: 201, body: { by: 'second' } },
    );
    finishFirst({ status: 201, body: { by: 'first' } });
    await first;
    const replay = await idempotent()(post(key, body), () => Promise.resolve({ status: 201, body: { by: 'third' } }));
    assert.deepEqual(replay, { status: 201, body: { by: 'second' }, replayed: true });
  });

  async function eventuallyClaimed(key: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (await db.selectFrom('admin_idempotency_keys').select('key').where('key', '=', key).executeTakeFirst()) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`the key ${key} was never claimed`);
  }
});
