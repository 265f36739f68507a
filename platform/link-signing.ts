import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from './config';

/**
 * The signed tokens of the links in sent messages (docs/FEEDBACK.md): `<code>.<kid>.<signature>`.
 * The code names a tracked_links row; the signature is an HMAC-SHA256, by the key `kid`, over what
 * that row says (its code, kind, message, URL or scope, and expiry), cut to 96 bits so that a link
 * still fits in an SMS. A token proves nothing alone: it is checked against the row it names.
 */

export type LinkKind = 'click' | 'open' | 'unsubscribe';

/** What a token signs: a tracked link as stored. */
export interface SignedLinkFields {
  code: string;
  kind: LinkKind;
  messageId: string;
  /** A click's URL, an unsubscribe's scope; empty for the open pixel. */
  target: string;
  expiresAtMs: number;
}

export interface LinkToken {
  code: string;
  kid: string;
  signature: string;
}

export type LinkVerdict = 'valid' | 'forged' | 'expired';

/** 96 bits of the HMAC, 16 base64url characters. */
const SIGNATURE_BYTES = 12;
const TOKEN = /^([A-Za-z0-9_-]{8,32})\.([A-Za-z0-9]{1,8})\.([A-Za-z0-9_-]{16})$/;

function hmac(secret: string, fields: SignedLinkFields): Buffer {
  const message = ['v1', fields.code, fields.kind, fields.messageId, fields.target, String(fields.expiresAtMs)];
  return createHmac('sha256', secret).update(JSON.stringify(message)).digest().subarray(0, SIGNATURE_BYTES);
}

/** The token of a link, signed by the first key. */
export function signLink(keys: readonly SigningKey[], fields: SignedLinkFields): string {
  const key = keys[0];
  if (!key) throw new Error('no link-signing key configured (TRACKING_SIGNING_KEYS)');
  return `${fields.code}.${key.kid}.${hmac(key.secret, fields).toString('base64url')}`;
}

/** The parts of a token, or null when it is not shaped like one. */
export function parseLinkToken(token: string): LinkToken | null {
  const match = TOKEN.exec(token);
  return match ? { code: match[1]!, kid: match[2]!, signature: match[3]! } : null;
}

/**
 * Whether `token` signs `fields` (the row its code names) at `nowMs`: `forged` when no key we
 * accept signed exactly these fields, `expired` when it did but the link, or the grace period of
 * the key that signed it, is over.
 */
export function verifyLink(
  keys: readonly SigningKey[],
  token: LinkToken,
  fields: SignedLinkFields,
  nowMs: number,
): LinkVerdict {
  const key = keys.find((candidate) => candidate.kid === token.kid);
  if (!key || token.code !== fields.code) return 'forged';
  const given = Buffer.from(token.signature, 'base64url');
  const expected = hmac(key.secret, fields);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  if (key.acceptedUntilMs !== undefined && nowMs > key.acceptedUntilMs) return 'expired';
  return nowMs > fields.expiresAtMs ? 'expired' : 'valid';
}
