import { createHash } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import { maskEmail } from '../lib/pii';
import type { ChannelSender, FailureKind } from './delivery';
import { renderEmail, type RenderedEmail } from './templates';

export interface EmailSettings {
  mailer: Transporter;
  from: string;
  messageIdDomain: string;
  storeUrl: string;
  unsubscribeUrl: (customerId: string, campaign: string) => string;
}

/** The deterministic Message-ID of the email sent under an idempotency key. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@${domain}>`;
}

interface SmtpError extends Error {
  code?: string;
  /** The socket-level cause nodemailer wraps (ECONNREFUSED, ENOTFOUND…). */
  originalCode?: string;
  responseCode?: number;
  command?: string;
}

/** Socket errors that happen before a connection exists, so no message data can have been sent. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** SMTP 5xx is final; a refused connection or a 4xx proves the server did not take the message. */
export function classifySmtpError(error: unknown): { kind: FailureKind; reason: string } {
  const smtp = error as SmtpError;
  if (smtp.responseCode !== undefined && smtp.responseCode >= 500) return { kind: 'permanent', reason: `SMTP ${smtp.responseCode}: ${smtp.message}` };
  if (smtp.responseCode !== undefined && smtp.responseCode >= 400) return { kind: 'not_accepted', reason: `SMTP ${smtp.responseCode}` };
  // nodemailer labels every socket failure `command: 'CONN'`, even one after the data was sent, so only
  // failures to connect at all prove the server never saw the message.
  if (smtp.code === 'EDNS' || (smtp.originalCode !== undefined && NEVER_CONNECTED.has(smtp.originalCode))) {
    return { kind: 'not_accepted', reason: `${smtp.originalCode ?? smtp.code}: ${smtp.message}` };
  }
  return { kind: 'ambiguous', reason: smtp.code ?? smtp.message };
}

export function emailSender(settings: EmailSettings): ChannelSender<RenderedEmail> {
  return {
    channel: 'email',
    addressOf: (profile) => profile.email,
    consentOf: (profile) => profile.emailOptIn,
    messageIdFor: (key) => messageIdFor(key, settings.messageIdDomain),
    render: (request, profile) => renderEmail(request.template, {
      firstName: profile.firstName,
      storeUrl: settings.storeUrl,
      unsubscribeUrl: settings.unsubscribeUrl(request.customerId, request.campaign),
    }),
    async send(address, content, messageId, request) {
      const unsubscribe = settings.unsubscribeUrl(request.customerId, request.campaign);
      const info = await settings.mailer.sendMail({
        from: settings.from,
        to: address,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId,
        list: { unsubscribe: { url: unsubscribe, comment: 'Unsubscribe' } },
        headers: {
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Campaign': request.campaign,
          'X-Campaign-Step': request.step,
          'X-Customer-Id': request.customerId,
        },
      });
      return (info as { messageId?: string }).messageId ?? messageId;
    },
    classify: classifySmtpError,
    mask: maskEmail,
  };
}
