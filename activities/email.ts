import { createHash } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { Db } from '../db/database';
import {
  confirmSent,
  findDelivery,
  recordSkipped,
  releaseReservation,
  reserveDelivery,
  settleDelivery,
  type DeliveryKey,
  type DeliveryRecord,
} from '../db/delivery-ledger';
import { findProfile } from '../db/profiles';
import type { Logger } from '../lib/logger';
import { maskEmail } from '../lib/pii';
import { renderCartReminder, type CartReminderData } from './templates/cart-reminder';

export interface SendEmailInput {
  idempotencyKey: string;
  campaign: string;
  customerId: string;
  step: string;
  template: { kind: 'cart-reminder'; items: CartReminderData['items']; currency?: string | undefined };
}

export type SendOutcome =
  | { status: 'sent'; messageId: string; firstDelivery: boolean }
  | { status: 'not_sent'; reason: string };

export interface EmailDependencies {
  db: Db;
  mailer: Transporter;
  from: string;
  messageIdDomain: string;
  /** How long a reservation may stay unconfirmed before it is treated as a crashed send. */
  reservationLeaseMs: number;
  logger: Logger;
}

/** The deterministic Message-ID of the email sent under an idempotency key. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}>`;
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

/** SMTP failures that prove the server did not take the message, so sending again is safe. */
function provablyNotAccepted(error: SmtpError): boolean {
  if (error.responseCode !== undefined) return error.responseCode >= 400;
  return error.code === 'ECONNECTION' || error.code === 'EDNS' || (error.code === 'ETIMEDOUT' && error.command === 'CONN');
}

function outcomeOf(record: DeliveryRecord): SendOutcome {
  return record.state === 'sent' && record.messageId
    ? { status: 'sent', messageId: record.messageId, firstDelivery: false }
    : { status: 'not_sent', reason: `${record.state}: ${record.reason ?? 'no reason recorded'}` };
}

export function createEmailActivities(deps: EmailDependencies) {
  const { db, mailer, logger } = deps;

  async function sendEmail(input: SendEmailInput): Promise<SendOutcome> {
    const key: DeliveryKey = { idempotencyKey: input.idempotencyKey, campaign: input.campaign, customerId: input.customerId, step: input.step, channel: 'email' };
    const log = logger.child({ idempotencyKey: input.idempotencyKey, attempt: Context.current().info.attempt });

    const earlier = await findDelivery(db, key.idempotencyKey);
    if (earlier && earlier.state !== 'sending') return outcomeOf(earlier);

    const profile = await findProfile(db, input.customerId);
    if (!profile?.email) return outcomeOf(await recordSkipped(db, key, 'no email address on the profile'));
    if (!profile.emailOptIn) return outcomeOf(await recordSkipped(db, key, 'no email consent'));

    const content = renderCartReminder({ firstName: profile.firstName, items: input.template.items, currency: input.template.currency });
    const messageId = messageIdFor(key.idempotencyKey, deps.messageIdDomain);

    const reservation = await reserveDelivery(db, key, messageId, deps.reservationLeaseMs);
    if (reservation.kind === 'in_progress') {
      throw ApplicationFailure.retryable('Another execution is sending this message; will check again', 'DeliveryInProgress');
    }
    if (reservation.kind === 'settled') return outcomeOf(reservation.record);

    try {
      const info = await mailer.sendMail({
        from: deps.from,
        to: profile.email,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId,
        headers: { 'X-Campaign': input.campaign, 'X-Campaign-Step': input.step, 'X-Customer-Id': input.customerId },
      });
      await confirmSent(db, key.idempotencyKey, info.messageId ?? messageId);
      log.info({ to: maskEmail(profile.email), step: input.step }, 'email sent');
      return { status: 'sent', messageId, firstDelivery: true };
    } catch (error) {
      const smtpError = error as SmtpError;
      if (smtpError.responseCode !== undefined && smtpError.responseCode >= 500) {
        await settleDelivery(db, key.idempotencyKey, 'failed', `SMTP ${smtpError.responseCode}: ${smtpError.message}`);
        throw ApplicationFailure.nonRetryable(`SMTP rejected the message permanently (${smtpError.responseCode})`, 'PermanentDeliveryError');
      }
      if (provablyNotAccepted(smtpError)) {
        await releaseReservation(db, key.idempotencyKey);
        log.warn({ err: smtpError }, 'SMTP unavailable; the send will be retried');
        throw error;
      }
      // The server may have accepted the message before the connection failed: err on at-most-once.
      await settleDelivery(db, key.idempotencyKey, 'unknown', `ambiguous SMTP failure: ${smtpError.code ?? smtpError.message}`);
      log.error({ err: smtpError }, 'SMTP failed mid-transaction; not resending');
      return { status: 'not_sent', reason: 'ambiguous SMTP failure' };
    }
  }

  return { sendEmail };
}
