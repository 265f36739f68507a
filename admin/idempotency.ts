import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../platform/db/database';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../platform/db/idempotency-keys';
import { HttpError } from './errors';
import type { RouteResult } from './route';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key on POSTs: the first request with a key runs and its answer is kept (for
 * `retentionMs`); a repeat with the same method, path and body gets that answer again without
 * acting twice. The same key on a different request is a 422; a repeat while the first still runs
 * is a 409, for `leaseMs` at most: past it the first is presumed dead and the repeat runs. Server
 * errors are not kept, so the client's retry runs again.
 */
export function idempotentPosts(db: Db, retentionMs: number, leaseMs: number) {
  return async (req: Request, run: () => Promise<RouteResult>): Promise<RouteResult> => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (key === undefined) return run();
    if (!VALID_KEY.test(key)) {
      throw new HttpError(
        400,
        'invalid_request',
        `${IDEMPOTENCY_HEADER}: expected 1 to 255 printable ASCII characters`,
        { field: IDEMPOTENCY_HEADER, in: 'header' },
      );
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([req.method, req.path, req.body ?? null]))
      .digest('hex');
    const claim = await claimIdempotencyKey(db, key, fingerprint, retentionMs, leaseMs);
    if (claim.kind === 'completed') return { status: claim.statusCode, body: claim.response, replayed: true };
    if (claim.kind === 'mismatch') {
      throw new HttpError(
        422,
        'idempotency_key_reused',
        `${IDEMPOTENCY_HEADER} was already used for a different request.`,
        { field: IDEMPOTENCY_HEADER, in: 'header' },
      );
    }
    if (claim.kind === 'in_progress') {
      throw new HttpError(
        409,
        'request_in_progress',
        `A request with this ${IDEMPOTENCY_HEADER} is still being handled; retry shortly.`,
        { field: IDEMPOTENCY_HEADER, in: 'header' },
      );
    }
    let result: RouteResult;
    try {
      result = await run();
    } catch (error) {
      if (error instanceof HttpError && error.status < 500) {
        await completeIdempotencyKey(db, key, claim.token, error.status, error.body);
      } else {
        await releaseIdempotencyKey(db, key, claim.token);
      }
      throw error;
    }
    if (result.status < 500) await completeIdempotencyKey(db, key, claim.token, result.status, result.body);
    else await releaseIdempotencyKey(db, key, claim.token);
    return result;
  };
}
