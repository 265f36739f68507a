import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { CustomerEvent } from '../../contract/events';
import {
  findTrackedLink,
  signedFieldsOf,
  type TrackedLink,
  type UnsubscribeScope,
} from '../../platform/db/tracked-links';
import { parseLinkToken, verifyLink, type LinkKind } from '../../platform/link-signing';
import type { TrackingDependencies } from '../dependencies';
import { recordOptOut } from '../record-opt-out';
import {
  linkNotValidPage,
  previewPage,
  TRANSPARENT_GIF,
  tryAgainPage,
  unsubscribedPage,
  unsubscribeFormPage,
} from '../link-pages';

/**
 * Click redirects, the open pixel and unsubscribes: the links in sent messages (docs/FEEDBACK.md).
 * A token is checked against the row it names; whatever fails (shape, row, kind, signature, key,
 * expiry) gets the same page, and nothing is recorded.
 */
export function linkRoutes(deps: TrackingDependencies): Router {
  const router = Router();
  router.use(['/c', '/s', '/o', '/u'], (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  /** The stored link a token signs, or why there is none: 404 unknown or forged, 410 expired. */
  async function linkOf(token: string, kind: LinkKind): Promise<TrackedLink | 404 | 410> {
    const parsed = parseLinkToken(token);
    const link = parsed && (await findTrackedLink(deps.db, parsed.code));
    if (!parsed || !link || link.kind !== kind) return 404;
    const verdict = verifyLink(deps.signingKeys, parsed, signedFieldsOf(link), deps.now());
    return verdict === 'valid' ? link : verdict === 'expired' ? 410 : 404;
  }

  const feedback = (link: TrackedLink) => ({
    messageId: link.messageId,
    channel: link.channel,
    campaign: link.campaign,
    step: link.step,
    journeyId: link.journeyId,
    provider: 'tracking' as const,
  });
  const occurredAt = () => new Date(deps.now()).toISOString();

  /** A click or an open is worth less than the page the customer asked for: recorded after answering, at most once. */
  function recordQuietly(event: CustomerEvent): void {
    deps
      .publish(event)
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, eventId: event.eventId, type: event.type }, 'engagement event not recorded'),
      );
  }

  const click = async (req: Request<{ token: string }>, res: Response) => {
    const link = await linkOf(req.params.token, 'click');
    if (typeof link === 'number' || !link.url) {
      res
        .status(typeof link === 'number' ? link : 404)
        .type('html')
        .send(linkNotValidPage());
      return;
    }
    res.redirect(302, link.url);
    recordQuietly({
      eventId: `click:${link.code}:${randomUUID()}`,
      type: 'message.clicked',
      customerId: link.customerId,
      occurredAt: occurredAt(),
      properties: { ...feedback(link), url: link.url },
    });
  };
  router.get('/c/:token', click);
  router.get('/s/:token', click);

  router.get('/o/:token', async (req, res) => {
    const link = await linkOf(req.params.token, 'open');
    // The same image either way, so that a mail client shows nothing broken; only a valid link counts.
    res
      .status(typeof link === 'number' ? 404 : 200)
      .type('gif')
      .send(TRANSPARENT_GIF);
    if (typeof link === 'number') return;
    recordQuietly({
      eventId: randomUUID(),
      type: 'message.opened',
      customerId: link.customerId,
      occurredAt: occurredAt(),
      properties: feedback(link),
    });
  });

  router.get('/u/preview', (_req, res) => {
    res.type('html').send(previewPage());
  });

  router.get('/u/:token', async (req, res) => {
    const link = await linkOf(req.params.token, 'unsubscribe');
    if (typeof link === 'number') {
      res.status(link).type('html').send(linkNotValidPage());
      return;
    }
    res.type('html').send(unsubscribeFormPage(`${deps.publicUrl}/u/${req.params.token}`));
  });

  router.post(
    '/u/:token',
    express.urlencoded({ extended: false, limit: '4kb' }),
    express.text({ type: 'multipart/form-data', limit: '4kb' }),
    async (req, res) => {
      const link = await linkOf(req.params.token, 'unsubscribe');
      if (typeof link === 'number') {
        res.status(link).type('html').send(linkNotValidPage());
        return;
      }
      const choice = choiceOf(req, link.scope ?? 'email');
      if (!choice) {
        res.status(400).type('html').send(linkNotValidPage());
        return;
      }
      try {
        await recordOptOut(deps, {
          eventId: `unsubscribe:${link.code}:${choice.scope}`,
          type: 'customer.unsubscribed',
          customerId: link.customerId,
          occurredAt: occurredAt(),
          properties: { channel: choice.scope, source: choice.source, messageId: link.messageId },
        });
      } catch (error) {
        // Nothing was recorded (PostgreSQL refused the write): the customer is told to try again.
        deps.logger.error({ err: error, messageId: link.messageId }, 'unsubscribe not recorded: PostgreSQL refused it');
        res.status(503).set('Retry-After', '60').type('html').send(tryAgainPage());
        return;
      }
      res.type('html').send(unsubscribedPage(choice.scope));
    },
  );
  return router;
}

interface UnsubscribeChoice {
  scope: UnsubscribeScope;
  source: 'one_click' | 'link';
}

/**
 * What a POST asks: RFC 8058's `List-Unsubscribe=One-Click` withdraws the link's own scope; the
 * confirmation page's form names `scope`, the link's or everything.
 */
function choiceOf(req: Request, linkScope: UnsubscribeScope): UnsubscribeChoice | null {
  const field = (name: string) => formField(req.body as unknown, name);
  if (field('List-Unsubscribe') === 'One-Click') return { scope: linkScope, source: 'one_click' };
  const scope = field('scope');
  return scope === linkScope || scope === 'all' ? { scope, source: 'link' } : null;
}

/** A field of a form-urlencoded body (parsed) or a multipart/form-data one (as text). */
function formField(body: unknown, name: string): string | undefined {
  if (typeof body === 'string') {
    const part = new RegExp(
      `content-disposition:\\s*form-data;\\s*name="${name}"[^\\r\\n]*\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n([^\\r\\n]*)`,
      'i',
    ).exec(body);
    return part?.[1]?.trim();
  }
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value.trim() : undefined;
}
