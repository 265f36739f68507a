import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Customer } from './cast';

/**
 * What happens outside the engine after a message arrives, done for real: a mail client loads the
 * open pixel and the customer follows a link, a mailbox provider's one-click unsubscribe POSTs to
 * the List-Unsubscribe URL (RFC 8058), a phone replies to an SMS, SendGrid reports a bounce through
 * its signed Event Webhook. Each reaches the tracking service over HTTP, never the engine directly.
 */
export interface CustomerActions {
  /** Opens the customer's first email (its images load) and follows its first link; returns where it led. */
  openAndClick(customer: Customer): Promise<string>;
  /** POSTs `List-Unsubscribe=One-Click` to the header URL of the customer's first email; returns the status. */
  oneClickUnsubscribe(customer: Customer): Promise<number>;
  /** The customer's phone replies to the SMS they got. */
  replyBySms(customer: Customer, body: string): Promise<void>;
  /** SendGrid reports the customer's first email as a hard bounce; returns the webhook's status. */
  bounceFirstEmail(customer: Customer): Promise<number>;
}

export interface CustomerActionSettings {
  mailpitUrl: string;
  /** Sends an inbound SMS as the customer's phone (the Twilio stand-in signs and posts it). */
  replyBySms(from: string, body: string): Promise<void>;
  /** The tracking service's SendGrid endpoint and the key the demo signs with, playing SendGrid. */
  sendgrid: { webhookUrl: string; privateKey: KeyObject };
}

/** The demo's SendGrid signing key, from the file tools/sandbox/sendgrid-webhook-keys.sh made. */
export function sendgridKeyFrom(file: string): KeyObject {
  return createPrivateKey(readFileSync(file));
}

interface MailpitMessage {
  ID: string;
  MessageID: string;
  Text: string;
  HTML: string;
}

export function customerActions(settings: CustomerActionSettings): CustomerActions {
  const mailpit = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${settings.mailpitUrl}${path}`);
    if (!response.ok) throw new Error(`Mailpit answered HTTP ${response.status} to ${path}`);
    return (await response.json()) as T;
  };
  async function firstEmail(customer: Customer): Promise<MailpitMessage> {
    const query = encodeURIComponent(`to:"${customer.email}"`);
    const { messages } = await mailpit<{ messages: Array<{ ID: string }> }>(`/api/v1/search?query=${query}`);
    const oldest = messages.at(-1);
    if (!oldest) throw new Error(`${customer.name} has no email to act on`);
    return mailpit<MailpitMessage>(`/api/v1/message/${oldest.ID}`);
  }

  return {
    async openAndClick(customer) {
      const email = await firstEmail(customer);
      const pixel = /<img src="([^"]+\/o\/[^"]+)"/.exec(email.HTML)?.[1];
      if (pixel) await fetch(pixel);
      const link = /https?:\/\/\S+\/c\/[A-Za-z0-9._~-]+/.exec(email.Text)?.[0];
      if (!link) throw new Error(`${customer.name}'s email has no tracked link`);
      const followed = await fetch(link, { redirect: 'manual' });
      return followed.headers.get('location') ?? `HTTP ${followed.status}`;
    },
    async oneClickUnsubscribe(customer) {
      const email = await firstEmail(customer);
      const headers = await mailpit<Record<string, string[]>>(`/api/v1/message/${email.ID}/headers`);
      const url = /^<([^>]+)>$/.exec(headers['List-Unsubscribe']?.[0] ?? '')?.[1];
      if (!url) throw new Error(`${customer.name}'s email has no List-Unsubscribe URL`);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      return response.status;
    },
    async replyBySms(customer, body) {
      if (!customer.phone) throw new Error(`${customer.name} has no phone`);
      await settings.replyBySms(customer.phone, body);
    },
    async bounceFirstEmail(customer) {
      const email = await firstEmail(customer);
      const timestamp = Math.floor(Date.now() / 1000);
      const payload = JSON.stringify([
        {
          email: customer.email,
          event: 'bounce',
          type: 'bounce',
          reason: '550 5.1.1 The email account that you tried to reach does not exist',
          timestamp,
          sg_event_id: `demo-${randomUUID()}`,
          sg_message_id: `demo-${randomUUID()}`,
          'smtp-id': `<${email.MessageID}>`,
        },
      ]);
      const signature = sign('sha256', Buffer.from(`${timestamp}${payload}`), settings.sendgrid.privateKey);
      const response = await fetch(settings.sendgrid.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-signature': signature.toString('base64'),
          'x-twilio-email-event-webhook-timestamp': String(timestamp),
        },
        body: payload,
      });
      return response.status;
    },
  };
}
