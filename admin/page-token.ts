import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Page tokens handed to clients: Temporal's own token, signed together with the filter it belongs
 * to. A forged, truncated or foreign token is refused with a 400 before it reaches Temporal (which
 * would answer a bad token with an opaque server error).
 */
export function pageTokens(secret: string) {
  const key = createHmac('sha256', 'admin-page-token').update(secret).digest();
  const sign = (token: Buffer, filter: string) =>
    createHmac('sha256', key).update(filter).update('\0').update(token).digest().subarray(0, 16);

  return {
    issue(token: Buffer, filter: string): string {
      return `${token.toString('base64url')}.${sign(token, filter).toString('base64url')}`;
    },
    /** Temporal's token, or null when this one was not issued for this filter. */
    redeem(pageToken: string, filter: string): Buffer | null {
      const [encoded, signature, extra] = pageToken.split('.');
      if (!encoded || !signature || extra !== undefined) return null;
      const token = Buffer.from(encoded, 'base64url');
      const expected = sign(token, filter);
      const given = Buffer.from(signature, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected) ? token : null;
    },
  };
}
