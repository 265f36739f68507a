import { sql } from 'kysely';
import type { Db } from './database';

/**
 * The admin API's Idempotency-Key store: the first request with a key claims it; repeats get its
 * response. A claim still in progress after its lease (its request crashed, or recording the answer
 * failed) may be taken over by a repeat of the same request.
 */

/** The claim's start, which also tells a late first owner that its claim was taken over. */
export type ClaimToken = Date;

export type IdempotencyClaim =
  | { kind: 'claimed'; token: ClaimToken }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' }
  | { kind: 'completed'; statusCode: number; response: unknown };

// Millisecond precision, so that the token read back into a JS Date compares equal.
const claimTime = sql<Date>`date_trunc('milliseconds', now())`;

export async function claimIdempotencyKey(
  db: Db,
  key: string,
  fingerprint: string,
  retentionMs: number,
  leaseMs: number,
): Promise<IdempotencyClaim> {
  await db
    .deleteFrom('admin_idempotency_keys')
    .where('created_at', '<', new Date(Date.now() - retentionMs))
    .execute();
  const inserted = await db
    .insertInto('admin_idempotency_keys')
    .values({ key, fingerprint, status_code: null, response: null, created_at: claimTime })
    .onConflict((conflict) => conflict.column('key').doNothing())
    .returning('created_at')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed', token: inserted.created_at };
  const takenOver = await db
    .updateTable('admin_idempotency_keys')
    .set({ created_at: claimTime })
    .where('key', '=', key)
    .where('fingerprint', '=', fingerprint)
    .where('status_code', 'is', null)
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${leaseMs / 1000})`)
    .returning('created_at')
    .executeTakeFirst();
  if (takenOver) return { kind: 'claimed', token: takenOver.created_at };
  const row = await db.selectFrom('admin_idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst();
  // Released between our statements: try once more.
  if (!row) return claimIdempotencyKey(db, key, fingerprint, retentionMs, leaseMs);
  if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
  if (row.status_code === null) return { kind: 'in_progress' };
  return { kind: 'completed', statusCode: row.status_code, response: row.response };
}

/**
 * Keeps the answer, unless the claim was taken over meanwhile (then the new owner's answer counts).
 * PostgreSQL's jsonb cannot hold a NUL character (an error message quoting bad input may): it is
 * kept as U+FFFD, so the repeat's answer differs from the first only there.
 */
export async function completeIdempotencyKey(
  db: Db,
  key: string,
  token: ClaimToken,
  statusCode: number,
  response: unknown,
): Promise<void> {
  await db
    .updateTable('admin_idempotency_keys')
    .set({ status_code: statusCode, response: JSON.stringify(response ?? null, withoutNul) })
    .where('key', '=', key)
    .where('created_at', '=', token)
    .where('status_code', 'is', null)
    .execute();
}

/** Frees a key whose request failed on our side, so that the client's retry runs again. */
export async function releaseIdempotencyKey(db: Db, key: string, token: ClaimToken): Promise<void> {
  await db
    .deleteFrom('admin_idempotency_keys')
    .where('key', '=', key)
    .where('created_at', '=', token)
    .where('status_code', 'is', null)
    .execute();
}

function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? value.replaceAll('\u0000', '\uFFFD') : value;
}
