import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { SignedLinkFields } from '../link-signing';
import type { Db } from './database';
import type { Channel, TrackedLinkKind, TrackedLinksTable } from './schema';

/**
 * The links of sent messages (click redirects, open pixels, unsubscribes), one row per link of a
 * message. A link's code is derived from what it is, so a retried send finds the rows of its first
 * attempt and renders exactly the same text; the expiry is fixed by the first attempt.
 */

export type UnsubscribeScope = 'email' | 'sms' | 'all';

/** The message a link belongs to, as feedback about it needs it. */
export interface LinkedMessage {
  messageId: string;
  customerId: string;
  campaign: string;
  step: string;
  journeyId: string;
  channel: Channel;
}

export type LinkTarget =
  { kind: 'click'; url: string } | { kind: 'open' } | { kind: 'unsubscribe'; scope: UnsubscribeScope };

export interface TrackedLink extends LinkedMessage {
  code: string;
  kind: TrackedLinkKind;
  url: string | null;
  scope: UnsubscribeScope | null;
  expiresAt: Date;
}

const targetOf = (link: { kind: TrackedLinkKind; url?: string | null; scope?: string | null }): string =>
  link.kind === 'click' ? (link.url ?? '') : link.kind === 'unsubscribe' ? (link.scope ?? '') : '';

/** 12 base64url characters (72 bits) of a SHA-256 of the link: the same link of a message, the same code. */
export function linkCode(messageId: string, target: LinkTarget): string {
  return createHash('sha256')
    .update(JSON.stringify([target.kind, messageId, targetOf({ ...target })]))
    .digest('base64url')
    .slice(0, 12);
}

/** What a link's token signs: the row as stored. */
export function signedFieldsOf(link: TrackedLink): SignedLinkFields {
  return {
    code: link.code,
    kind: link.kind,
    messageId: link.messageId,
    target: targetOf(link),
    expiresAtMs: link.expiresAt.getTime(),
  };
}

function fromRow(row: Selectable<TrackedLinksTable>): TrackedLink {
  return {
    code: row.code,
    kind: row.kind,
    messageId: row.message_id,
    customerId: row.customer_id,
    campaign: row.campaign,
    step: row.step,
    journeyId: row.journey_id,
    channel: row.channel,
    url: row.url,
    scope: row.scope,
    expiresAt: row.expires_at,
  };
}

/**
 * The rows of these links of one message, stored when missing (expiring `ttlMs(kind)` after
 * `nowMs`), read back as stored: in the order of `targets`.
 */
export async function ensureTrackedLinks(
  db: Db,
  message: LinkedMessage,
  targets: readonly LinkTarget[],
  ttlMs: (kind: TrackedLinkKind) => number,
  nowMs: number,
): Promise<TrackedLink[]> {
  if (targets.length === 0) return [];
  const wanted = targets.map((target) => ({ target, code: linkCode(message.messageId, target) }));
  await db
    .insertInto('tracked_links')
    .values(
      wanted.map(({ target, code }) => ({
        code,
        kind: target.kind,
        message_id: message.messageId,
        customer_id: message.customerId,
        campaign: message.campaign,
        step: message.step,
        journey_id: message.journeyId,
        channel: message.channel,
        url: target.kind === 'click' ? target.url : null,
        scope: target.kind === 'unsubscribe' ? target.scope : null,
        expires_at: new Date(nowMs + ttlMs(target.kind)),
      })),
    )
    .onConflict((conflict) => conflict.column('code').doNothing())
    .execute();
  const rows = await db
    .selectFrom('tracked_links')
    .selectAll()
    .where(
      'code',
      'in',
      wanted.map(({ code }) => code),
    )
    .execute();
  const byCode = new Map(rows.map((row) => [row.code, fromRow(row)]));
  return wanted.map(({ target, code }) => {
    const link = byCode.get(code);
    // 72 bits make a collision between two links unlikely, not impossible: never hand out another's row.
    if (
      !link ||
      link.kind !== target.kind ||
      link.messageId !== message.messageId ||
      targetOf(link) !== targetOf({ ...target })
    )
      throw new Error(`tracked link ${code} of ${message.messageId} is stored for another link`);
    return link;
  });
}

export async function findTrackedLink(db: Db, code: string): Promise<TrackedLink | null> {
  const row = await db.selectFrom('tracked_links').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? fromRow(row) : null;
}
