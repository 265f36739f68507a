import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Transporter } from 'nodemailer';
import { maskEmail, maskPiiInText } from '../platform/pii';
import { SendCancelled, type ChannelSender, type FailureKind, type ProviderFailure } from './delivery';
import { renderEmail, type RenderedEmail } from './templates';
import { renderContext } from './templates/message';
import { trackEmailLinks } from './link-tracking';

export interface EmailSettings {
  mailer: Transporter;
  from: string;
  messageIdDomain: string;
  storeUrl: string;
}

/** An email as sent: its List-Unsubscribe header carries the same signed link as its body. */
export interface OutgoingEmail extends RenderedEmail {
  unsubscribeUrl: string;
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
  /** nodemailer reports every timeout as ETIMEDOUT and says here which phase timed out. */
  timeoutType?: string;
}

/** Socket errors that happen before a connection exists, so no message data can have been sent. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Timeouts of the phases before the envelope (connect, greeting, STARTTLS): no message data was sent. */
const BEFORE_ENVELOPE_TIMEOUTS = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);
/** Replies that say our credentials are wrong or missing (RFC 4954), whatever command drew them. */
const AUTH_REPLY_CODES = new Set([530, 534, 535, 538]);
/** The commands whose 5xx refuses this recipient or this message; a 5xx elsewhere refuses our deployment. */
const MESSAGE_COMMANDS = new Set(['RCPT TO', 'DATA']);

/**
 * Classifies by evidence: only what proves the server never saw the message retries as
 * `not_accepted`; credentials and sender problems are `misconfigured`, never the recipient's fault;
 * only a 5xx to RCPT TO or DATA is `permanent`. Every reason is PII-masked.
 */
export function classifySmtpError(error: unknown): ProviderFailure {
  const smtp = error as SmtpError;
  const { kind, reason } = classifySmtp(smtp);
  return { kind, reason: maskPiiInText(reason), code: String(smtp.responseCode ?? smtp.code ?? 'unknown') };
}

function classifySmtp(smtp: SmtpError): { kind: FailureKind; reason: string } {
  const code = smtp.responseCode;
  if (smtp.code === 'EAUTH' || smtp.code === 'ENOAUTH' || (code !== undefined && AUTH_REPLY_CODES.has(code))) {
    return { kind: 'misconfigured', reason: `SMTP authentication failed${code ? ` (${code})` : ''}: ${smtp.message}` };
  }
  if (code !== undefined && code >= 500) {
    return MESSAGE_COMMANDS.has(smtp.command ?? '')
      ? { kind: 'permanent', reason: `SMTP ${code}: ${smtp.message}` }
      : { kind: 'misconfigured', reason: `SMTP ${code} to ${smtp.command ?? 'the session'}: ${smtp.message}` };
  }
  if (code !== undefined && code >= 400) return { kind: 'not_accepted', reason: `SMTP ${code}: ${smtp.message}` };
  // nodemailer labels every socket failure `command: 'CONN'`, even one after the data was sent, so only
  // failures to connect at all, or timeouts of the phases before the envelope, prove the server never saw the message.
  if (smtp.code === 'EDNS' || (smtp.originalCode !== undefined && NEVER_CONNECTED.has(smtp.originalCode))) {
    return { kind: 'not_accepted', reason: `${smtp.originalCode ?? smtp.code}: ${smtp.message}` };
  }
  if (smtp.code === 'ETIMEDOUT' && smtp.timeoutType !== undefined && BEFORE_ENVELOPE_TIMEOUTS.has(smtp.timeoutType)) {
    return { kind: 'not_accepted', reason: `${smtp.timeoutType}: ${smtp.message}` };
  }
  return {
    kind: 'ambiguous',
    reason: `${smtp.code ?? 'error'}${smtp.timeoutType ? ` ${smtp.timeoutType}` : ''}: ${smtp.message}`,
  };
}

/** A per-send callback that nodemailer's 'stream' step calls when the message's first bytes flow. */
interface StreamWatch {
  onMessageStream?: () => void;
}

/**
 * Lets a send know when its message starts to flow towards the server. Before that (connecting,
 * greeting, EHLO, MAIL FROM), aborting the send leaves the server with no message at all.
 */
function watchMessageStreams(mailer: Transporter): void {
  mailer.use('stream', (mail, done) => {
    const started = (mail.data as StreamWatch).onMessageStream;
    const message = mail.message as unknown as { transform(factory: () => Transform): void };
    if (started) {
      message.transform(
        () =>
          new Transform({
            transform(chunk, _encoding, next) {
              started();
              next(null, chunk);
            },
          }),
      );
    }
    done();
  });
}

export function emailSender(settings: EmailSettings): ChannelSender<OutgoingEmail> {
  watchMessageStreams(settings.mailer);
  return {
    channel: 'email',
    addressOf: (profile) => profile.email,
    consentOf: (profile) => profile.emailOptIn,
    messageIdFor: (key) => messageIdFor(key, settings.messageIdDomain),
    async render(request, profile, template, links) {
      const [unsubscribeUrl] = await links([{ kind: 'unsubscribe', scope: 'email' }]);
      const context = renderContext('email', { storeUrl: settings.storeUrl, unsubscribeUrl: unsubscribeUrl! }, profile);
      const rendered = renderEmail(request.template, context, template);
      return { ...(await trackEmailLinks(rendered, unsubscribeUrl!, links)), unsubscribeUrl: unsubscribeUrl! };
    },
    async send(address, content, messageId, request, cancelled) {
      const stopper = new AbortController();
      let flowing = false;
      const stopUnlessFlowing = () => {
        if (!flowing) stopper.abort();
      };
      cancelled.addEventListener('abort', stopUnlessFlowing, { once: true });
      if (cancelled.aborted) stopUnlessFlowing();
      const watch: StreamWatch & { signal: AbortSignal } = {
        signal: stopper.signal,
        onMessageStream: () => {
          flowing = true;
        },
      };
      const info = await settings.mailer
        .sendMail({
          ...watch,
          from: settings.from,
          to: address,
          subject: content.subject,
          text: content.text,
          html: content.html,
          messageId,
          // One URL, no comment: the header RFC 8058's one-click POST goes to.
          list: { unsubscribe: content.unsubscribeUrl },
          headers: {
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'X-Campaign': request.campaign,
            'X-Campaign-Step': request.step,
            // SendGrid's SMTP relay echoes unique_args in every event it reports (a complaint has no
            // smtp-id), so feedback finds the message; other relays ignore the header.
            'X-SMTPAPI': JSON.stringify({ unique_args: { message_id: messageId } }),
          },
        })
        .catch((error: unknown) => {
          throw stopper.signal.aborted && !flowing ? new SendCancelled() : error;
        })
        .finally(() => cancelled.removeEventListener('abort', stopUnlessFlowing));
      return (info as { messageId?: string }).messageId ?? messageId;
    },
    classify: classifySmtpError,
    mask: maskEmail,
  };
}
