import type { Db } from './database';

/** The admin API's Idempotency-Key store: the first request with a key claims it; repeats get its response. */

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' }
  | { kind: 'completed'; statusCode: number; response: unknown };

export async function claimIdempotencyKey(db: Db, key: string, fingerprint: string, retentionMs: number): Promise<IdempotencyClaim> {
  await db.deleteFrom('admin_idempotency_keys').where('created_at', '<', new Date(Date.now() - retentionMs)).execute();
  const inserted = await db.insertInto('admin_idempotency_keys')
    .values({ key, fingerprint, status_code: null, response: null })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .executeTakeFirst();
  if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return { kind: 'claimed' };
  const row = await db.selectFrom('admin_idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
  // Released between our two statements: try once more.
  if (!row) return claimIdempotencyKey(db, key, fingerprint, retentionMs);
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.status_code === null) return { kind: 'in_progress' };
  return { kind: 'completed', statusCode: row.status_code, response: row.response };
}

export async function completeIdempotencyKey(db: Db, key: string, statusCode: number, response: unknown): Promise<void> {
  await db.updateTable('admin_idempotency_keys')
    .set({ status_code: statusCode, response: JSON.stringify(response ?? null) })
    .where('key', '=', key)
    .execute();
}

/** Frees a key whose request failed on our side, so that the client's retry runs again. */
export async function releaseIdempotencyKey(db: Db, key: string): Promise<void> {
  await db.deleteFrom('admin_idempotency_keys').where('key', '=', key).where('status_code', 'is', null).execute();
}

