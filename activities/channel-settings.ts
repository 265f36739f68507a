import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Transporter } from 'nodemailer';
import type { ChannelConfig, TrackedLinksConfig } from '../platform/config';
import type { EmailSettings } from './email';
import type { SmsSettings } from './sms';

/** The channels' settings from validated configuration; the worker and the admin API's test sends share them. */

/** nodemailer options from an smtp:// or smtps:// URL, with timeouts that fit the activity's. */
export function smtpTransportOptions(smtpUrl: string, pool: boolean): SMTPPool.Options | SMTPTransport.Options {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const options = {
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 5_000,
    socketTimeout: 20_000,
  };
  return pool ? { ...options, pool: true, maxConnections: 5 } : options;
}

export function emailSettingsFrom(config: ChannelConfig, mailer: Transporter): EmailSettings {
  return {
    mailer,
    from: config.EMAIL_FROM,
    messageIdDomain: config.MESSAGE_ID_DOMAIN,
    storeUrl: config.STORE_URL,
  };
}

/**
 * Null when the deployment has no Twilio credentials: it sends no SMS. Without TRACKING_PUBLIC_URL
 * (the admin API's test sends) messages are created without a status callback.
 */
export function smsSettingsFrom(
  config: ChannelConfig & Partial<Pick<TrackedLinksConfig, 'TRACKING_PUBLIC_URL'>>,
): SmsSettings | null {
  return config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN && config.TWILIO_FROM
    ? {
        accountSid: config.TWILIO_ACCOUNT_SID,
        authToken: config.TWILIO_AUTH_TOKEN,
        from: config.TWILIO_FROM,
        apiBaseUrl: config.TWILIO_API_BASE_URL,
        storeUrl: config.STORE_URL,
        trackingPublicUrl: config.TRACKING_PUBLIC_URL,
      }
    : null;
}
