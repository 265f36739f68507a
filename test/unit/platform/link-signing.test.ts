import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SigningKey } from '../../../platform/config';
import { linkCode } from '../../../platform/db/tracked-links';
import { parseLinkToken, signLink, verifyLink, type SignedLinkFields } from '../../../platform/link-signing';

const NOW = Date.parse('2030-06-01T12:00:00Z');
const DAY = 86_400_000;
const newKey: SigningKey = { kid: 'k2', secret: 'n'.repeat(40), acceptedUntilMs: undefined };
const oldKey: SigningKey = { kid: 'k1', secret: 'o'.repeat(40), acceptedUntilMs: undefined };
const fields: SignedLinkFields = {
  code: linkCode('<m1@x>', { kind: 'click', url: 'https://shop.example/cart' }),
  kind: 'click',
  messageId: '<m1@x>',
  target: 'https://shop.example/cart',
  expiresAtMs: NOW + 90 * DAY,
};

const verify = (token: string, keys: SigningKey[], signed = fields, nowMs = NOW) =>
  verifyLink(keys, parseLinkToken(token)!, signed, nowMs);

describe('link signing', () => {
  it('signs with the first key a token short enough for an SMS, which verifies', () => {
    const token = signLink([newKey, oldKey], fields);
    assert.match(token, /^[A-Za-z0-9_-]{12}\.k2\.[A-Za-z0-9_-]{16}$/);
    assert.equal(Buffer.from(token.split('.')[2]!, 'base64url').length * 8, 96);
    assert.equal(verify(token, [newKey, oldKey]), 'valid');
  });

  it('refuses a token when any signed field differs from the row it names', () => {
    const token = signLink([newKey], fields);
    const changed: Array<Partial<SignedLinkFields>> = [
      { kind: 'open' },
      { messageId: '<m2@x>' },
      { target: 'https://evil.example/cart' },
      { expiresAtMs: fields.expiresAtMs + 1 },
    ];
    for (const change of changed) assert.equal(verify(token, [newKey], { ...fields, ...change }), 'forged');
  });

  it('refuses a tampered signature, code or kid, and a token signed by a key it does not know', () => {
    const token = signLink([newKey], fields);
    const [code, kid, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    assert.equal(verify(`${code}.${kid}.${flipped}`, [newKey]), 'forged');
    assert.equal(verify(`${code}.k1.${signature}`, [newKey, oldKey]), 'forged');
    const otherCode = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(verifyLink([newKey], { code: otherCode, kid, signature }, fields, NOW), 'forged');
    const stranger: SigningKey = { kid: 'k2', secret: 's'.repeat(40), acceptedUntilMs: undefined };
    assert.equal(verify(signLink([stranger], fields), [newKey]), 'forged');
  });

  it("accepts an old key's tokens during the rotation's grace period, and not after it", () => {
    const token = signLink([oldKey], fields);
    const retiring = { ...oldKey, acceptedUntilMs: NOW + DAY };
    assert.equal(verify(token, [newKey, retiring]), 'valid');
    assert.equal(verify(token, [newKey, retiring], fields, NOW + DAY + 1), 'expired');
    assert.equal(verify(token, [newKey]), 'forged', 'a key no longer listed verifies nothing');
  });

  it('calls a link expired after its expiry, and only if its signature holds', () => {
    const token = signLink([newKey], fields);
    assert.equal(verify(token, [newKey], fields, fields.expiresAtMs), 'valid');
    assert.equal(verify(token, [newKey], fields, fields.expiresAtMs + 1), 'expired');
    assert.equal(verify(token, [newKey], { ...fields, target: 'https://x.example' }, fields.expiresAtMs + 1), 'forged');
  });

  it('parses only tokens of the expected shape', () => {
    for (const bad of ['', 'preview', 'abc.k1', `${'a'.repeat(12)}.k1.${'b'.repeat(15)}`, 'a.b.c.d', '../../etc'])
      assert.equal(parseLinkToken(bad), null, bad);
  });
});

describe('tracked link codes', () => {
  it('are the same for the same link of a message, and differ by kind, message and URL or scope', () => {
    const click = linkCode('<m1@x>', { kind: 'click', url: 'https://shop.example/cart' });
    assert.equal(click, linkCode('<m1@x>', { kind: 'click', url: 'https://shop.example/cart' }));
    assert.match(click, /^[A-Za-z0-9_-]{12}$/);
    const others = [
      linkCode('<m2@x>', { kind: 'click', url: 'https://shop.example/cart' }),
      linkCode('<m1@x>', { kind: 'click', url: 'https://shop.example/cart?a=1' }),
      linkCode('<m1@x>', { kind: 'open' }),
      linkCode('<m1@x>', { kind: 'unsubscribe', scope: 'email' }),
      linkCode('<m1@x>', { kind: 'unsubscribe', scope: 'all' }),
    ];
    assert.equal(new Set([click, ...others]).size, 6);
  });
});
