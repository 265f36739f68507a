import type { SigningKey, TrackedLinksConfig } from '../platform/config';
import type { Db } from '../platform/db/database';
import { ensureTrackedLinks, signedFieldsOf, type LinkedMessage, type LinkTarget } from '../platform/db/tracked-links';
import { signLink } from '../platform/link-signing';
import type { RenderedEmail } from './templates';
import { linksOf, rewriteHtmlLinks, rewriteTextLinks, withOpenPixel } from './templates/link-rewriting';
import { fitsOneSegment } from './templates/sms-length';

/**
 * The tracked links of a message being sent (docs/FEEDBACK.md): its unsubscribe link, its links
 * rewritten into click redirects, its open pixel. Each is a tracked_links row whose signed token is
 * in the URL; no URL names the customer.
 */

export interface LinkSettings {
  /** TRACKING_PUBLIC_URL, without a trailing slash. */
  publicUrl: string;
  signingKeys: SigningKey[];
  linkTtlMs: number;
  unsubscribeTtlMs: number;
}

export function linkSettingsFrom(config: TrackedLinksConfig): LinkSettings {
  return {
    publicUrl: config.TRACKING_PUBLIC_URL.replace(/\/$/, ''),
    signingKeys: config.TRACKING_SIGNING_KEYS,
    linkTtlMs: config.TRACKING_LINK_TTL,
    unsubscribeTtlMs: config.TRACKING_UNSUBSCRIBE_TTL,
  };
}

/** The unsubscribe link of previews and operators' test sends: it names no message and changes nothing. */
export function previewUnsubscribeUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, '')}/u/preview`;
}

/** The public URLs of links of one message, stored when missing: in the order asked. */
export type LinkTracker = (targets: readonly LinkTarget[]) => Promise<string[]>;

/** Clicks in an SMS go through /s/, those in an email through /c/: the same redirect. */
const PATHS = {
  click: { email: 'c', sms: 's' },
  open: { email: 'o', sms: 'o' },
  unsubscribe: { email: 'u', sms: 'u' },
};

export function linkTracker(db: Db, settings: LinkSettings, message: LinkedMessage): LinkTracker {
  return async (targets) => {
    const ttl = (kind: LinkTarget['kind']) => (kind === 'unsubscribe' ? settings.unsubscribeTtlMs : settings.linkTtlMs);
    const links = await ensureTrackedLinks(db, message, targets, ttl, Date.now());
    return links.map((link) => {
      const token = signLink(settings.signingKeys, signedFieldsOf(link));
      return `${settings.publicUrl}/${PATHS[link.kind][message.channel]}/${token}`;
    });
  };
}

/** The journey instance of a ledger idempotency key (contract/journeys.ts deliveryKey); else the key itself. */
export function journeyIdOf(idempotencyKey: string): string {
  const part = idempotencyKey.split(':')[2];
  return part ? decodeURIComponent(part) : idempotencyKey;
}

/** The longest URL a click event carries (contract/events.ts); a longer one is left as it is. */
const MAX_TRACKED_URL = 2048;
const trackable = (url: string) => url.length <= MAX_TRACKED_URL && URL.canParse(url);

/** An email whose links (but its unsubscribe link) go through click redirects, with an open pixel. */
export async function trackEmailLinks(
  email: RenderedEmail,
  unsubscribeUrl: string,
  track: LinkTracker,
): Promise<RenderedEmail> {
  const urls = linksOf(email).filter((url) => url !== unsubscribeUrl && trackable(url));
  const tracked = await track([...urls.map((url) => ({ kind: 'click' as const, url })), { kind: 'open' }]);
  const pixel = tracked.pop()!;
  const clicks = new Map(urls.map((url, index) => [url, tracked[index]!]));
  const replace = (url: string) => clicks.get(url);
  return {
    subject: email.subject,
    text: rewriteTextLinks(email.text, replace),
    html: withOpenPixel(rewriteHtmlLinks(email.html, replace), pixel),
  };
}

/**
 * An SMS whose links go through short click redirects, when it still fits in one segment that way;
 * otherwise the text as rendered, untracked: the message's words are never cut for tracking. A link
 * the renderer cut short (not in the text as written) is left as it is.
 */
export async function trackSmsLinks(sent: string, written: string, track: LinkTracker): Promise<string> {
  const whole = new Set(linksOf({ text: written }));
  const urls = linksOf({ text: sent }).filter((url) => whole.has(url) && trackable(url));
  if (urls.length === 0) return sent;
  const tracked = await track(urls.map((url) => ({ kind: 'click' as const, url })));
  const clicks = new Map(urls.map((url, index) => [url, tracked[index]!]));
  const rewritten = rewriteTextLinks(sent, (url) => clicks.get(url));
  return fitsOneSegment(rewritten) ? rewritten : sent;
}
