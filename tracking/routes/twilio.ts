import { Router, type Request, type Response } from 'express';
import { TWILIO_INBOUND_PATH, TWILIO_STATUS_PATH } from '../../contract/provider-webhooks';
import { findCustomersByPhone } from '../../platform/db/customers-by-phone';
import { findSentMessage, type SentMessage } from '../../platform/db/sent-messages';
import { maskPhone } from '../../platform/pii';
import type { TrackingDependencies } from '../dependencies';
import { recordOptOut } from '../record-opt-out';
import { isOptOutReply, twilioInboundSchema, unsubscribeFromStop } from '../providers/twilio-opt-out';
import { twilioWebhook } from '../providers/twilio-signature';
import {
  FINAL_TWILIO_STATUSES,
  feedbackFromTwilioStatus,
  twilioStatusCallbackSchema,
  type TwilioStatusCallback,
} from '../providers/twilio-status';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

function badRequest(res: Response, what: string, issue: { path: PropertyKey[]; message: string } | undefined) {
  const field = issue?.path.map(String).join('.') || '(body)';
  res
    .status(400)
    .type('text/plain')
    .send(`Bad ${what}: ${field}: ${issue?.message ?? 'invalid'}.\n`);
}

/** Twilio's status callbacks and inbound messages (a STOP reply), checked against X-Twilio-Signature. */
export function twilioRoutes(deps: TrackingDependencies): Router {
  const router = Router();
  const log = deps.logger.child({ provider: 'twilio' });

  /** Ours by the message ID in the signed callback URL, else by Twilio's SID; SMS only. */
  async function findMessage(req: Request, callback: TwilioStatusCallback): Promise<SentMessage | null> {
    const ours = typeof req.query.message === 'string' && req.query.message ? req.query.message : undefined;
    const found =
      (ours && (await findSentMessage(deps.db, { messageId: ours }))) ||
      (await findSentMessage(deps.db, { providerMessageId: callback.MessageSid }));
    return found?.channel === 'sms' ? found : null;
  }

  router.post(TWILIO_STATUS_PATH, ...twilioWebhook(deps), async (req, res) => {
    const parsed = twilioStatusCallbackSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, 'status callback', parsed.error.issues[0]);
    const callback = parsed.data;
    if (!FINAL_TWILIO_STATUSES.has(callback.MessageStatus)) return void res.status(204).end();
    const message = await findMessage(req, callback);
    if (!message) {
      log.warn(
        { messageSid: callback.MessageSid, status: callback.MessageStatus, to: maskPhone(callback.To ?? '') },
        'Twilio status callback for a message the ledger does not have; ignored',
      );
      return void res.status(200).type('text/plain').send('Unknown message; ignored.\n');
    }
    const event = feedbackFromTwilioStatus(callback, message, new Date(deps.now()).toISOString());
    if (!event) return void res.status(204).end();
    try {
      await deps.publish(event);
    } catch (error) {
      log.error(
        { err: error, eventId: event.eventId },
        'could not publish a Twilio status; lost unless Twilio retries',
      );
      return void res.status(503).type('text/plain').send('Temporarily unavailable; please retry.\n');
    }
    log.info({ eventId: event.eventId, messageId: message.messageId, type: event.type }, 'Twilio status published');
    res.status(204).end();
  });

  router.post(TWILIO_INBOUND_PATH, ...twilioWebhook(deps), async (req, res) => {
    const parsed = twilioInboundSchema.safeParse(req.body);
    if (!parsed.success) return badRequest(res, 'inbound message', parsed.error.issues[0]);
    const inbound = parsed.data;
    if (isOptOutReply(inbound.Body)) {
      const customers = await findCustomersByPhone(deps.db, inbound.From);
      const occurredAt = new Date(deps.now()).toISOString();
      try {
        for (const customerId of customers)
          await recordOptOut(deps, unsubscribeFromStop(inbound, customerId, occurredAt));
      } catch (error) {
        // Twilio does not retry an inbound webhook by default: the error is for its debugger and our alerts.
        log.error({ err: error, messageSid: inbound.MessageSid }, 'SMS opt-out not recorded: PostgreSQL refused it');
        return void res.status(503).type('text/plain').send('Temporarily unavailable.\n');
      }
      log.info(
        { from: maskPhone(inbound.From), customers: customers.length, messageSid: inbound.MessageSid },
        customers.length ? 'SMS opt-out published' : 'SMS opt-out from a number no customer has; nothing to do',
      );
    }
    res.status(200).type('text/xml').send(EMPTY_TWIML);
  });

  return router;
}
