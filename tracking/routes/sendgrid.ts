import express, { Router, type RequestHandler } from 'express';
import { SENDGRID_EVENTS_PATH } from '../../contract/provider-webhooks';
import { findSentMessage } from '../../platform/db/sent-messages';
import type { TrackingDependencies } from '../dependencies';
import {
  feedbackFromSendgridEvent,
  sendgridEventSchema,
  sendgridMessageIdOf,
  sendgridOutcome,
} from '../providers/sendgrid-events';
import { sendgridVerifier } from '../providers/sendgrid-signature';

/** SendGrid posts batches of events; a generous bound for the largest batch it sends. */
const SENDGRID_BODY_LIMIT = '5mb';

const REFUSALS = {
  unsigned: 'missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp',
  bad_signature: 'the signature does not match the body and timestamp',
  stale: 'the timestamp is outside the accepted window (a replay?)',
} as const;

/** SendGrid's Signed Event Webhook: bounces, complaints and deliveries of emails. */
export function sendgridRoutes(deps: TrackingDependencies): Router {
  const router = Router();
  const log = deps.logger.child({ provider: 'sendgrid' });
  const verify = deps.sendgrid ? sendgridVerifier(deps.sendgrid.publicKey, deps.sendgrid.maxAgeMs) : null;

  const enabled: RequestHandler = (_req, res, next) => {
    if (verify) return next();
    res
      .status(404)
      .type('text/plain')
      .send('Not found: the SendGrid webhook is off (no SENDGRID_WEBHOOK_PUBLIC_KEY).\n');
  };

  router.post(
    SENDGRID_EVENTS_PATH,
    enabled,
    express.raw({ type: () => true, limit: SENDGRID_BODY_LIMIT }),
    async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const verdict = verify!(
        {
          rawBody,
          signature: req.get('X-Twilio-Email-Event-Webhook-Signature'),
          timestamp: req.get('X-Twilio-Email-Event-Webhook-Timestamp'),
        },
        deps.now(),
      );
      if (verdict !== 'valid') {
        log.warn({ verdict }, 'SendGrid webhook refused');
        return void res.status(403).type('text/plain').send(`Forbidden: ${REFUSALS[verdict]}.\n`);
      }
      let batch: unknown;
      try {
        batch = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return void res.status(400).type('text/plain').send('Bad request: the body is not JSON.\n');
      }
      if (!Array.isArray(batch) || !batch.every((item) => item !== null && typeof item === 'object'))
        return void res.status(400).type('text/plain').send('Bad request: expected a JSON array of event objects.\n');

      const events: Array<NonNullable<ReturnType<typeof feedbackFromSendgridEvent>>> = [];
      let ignored = 0;
      for (const item of batch) {
        const parsed = sendgridEventSchema.safeParse(item);
        const messageId = parsed.success && sendgridOutcome(parsed.data) ? sendgridMessageIdOf(parsed.data) : undefined;
        const message = messageId ? await findSentMessage(deps.db, { messageId }) : null;
        const event =
          parsed.success && message?.channel === 'email'
            ? feedbackFromSendgridEvent(parsed.data, message, deps.now())
            : null;
        if (event) events.push(event);
        else ignored += 1;
      }
      try {
        for (const event of events) await deps.publish(event);
      } catch (error) {
        log.error({ err: error, events: events.length }, 'could not publish SendGrid events; SendGrid will retry');
        return void res.status(503).type('text/plain').send('Temporarily unavailable; please retry.\n');
      }
      log.info({ published: events.length, ignored }, 'SendGrid events received');
      res.status(200).end();
    },
  );
  return router;
}
