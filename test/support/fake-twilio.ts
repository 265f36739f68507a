import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's Messages API (the only fake part: this machine cannot reach
 * Twilio). It speaks the same wire format the official client uses — form-encoded POST to
 * /2010-04-01/Accounts/{sid}/Messages.json with basic auth, a 201 JSON resource back — and records
 * what it receives.
 */

export interface ReceivedSms {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
}

export const FAKE_TWILIO_ACCOUNT_SID = `AC${'0'.repeat(31)}1`;
export const FAKE_TWILIO_AUTH_TOKEN = 'test-auth-token-1234';

export class FakeTwilio {
  readonly messages: ReceivedSms[] = [];
  private server: Server | null = null;
  private scriptedFailures: Array<{ status: number; code: number }> = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.baseUrl;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The next requests answer with these errors, in order, before the server accepts again. */
  failNext(...failures: Array<{ status: number; code: number }>): void {
    this.scriptedFailures.push(...failures);
  }

  to(phone: string): ReceivedSms[] {
    return this.messages.filter((message) => message.to === phone);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const match = req.url?.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/);
    if (req.method !== 'POST' || !match) return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const expected = `Basic ${Buffer.from(`${FAKE_TWILIO_ACCOUNT_SID}:${FAKE_TWILIO_AUTH_TOKEN}`).toString('base64')}`;
    if (req.headers.authorization !== expected || match[1] !== FAKE_TWILIO_ACCOUNT_SID) {
      return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const form = new URLSearchParams(raw);
    const to = form.get('To');
    const body = form.get('Body');
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to)) return json(400, { code: 21211, message: `The 'To' number ${to ?? ''} is not a valid phone number.`, status: 400 });
    if (!body) return json(400, { code: 21602, message: 'Message body is required.', status: 400 });
    if (!form.get('From') && !form.get('MessagingServiceSid')) return json(400, { code: 21603, message: "A 'From' phone number is required.", status: 400 });
    const failure = this.scriptedFailures.shift();
    if (failure) return json(failure.status, { code: failure.code, message: 'Scripted failure', status: failure.status });

    const sid = `SM${randomUUID().replace(/-/g, '')}`;
    this.messages.push({ sid, to, from: form.get('From'), messagingServiceSid: form.get('MessagingServiceSid'), body });
    json(201, {
      sid, account_sid: FAKE_TWILIO_ACCOUNT_SID, to, from: form.get('From'), messaging_service_sid: form.get('MessagingServiceSid'),
      body, status: 'queued', num_segments: '1', direction: 'outbound-api', api_version: '2010-04-01',
      date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${FAKE_TWILIO_ACCOUNT_SID}/Messages/${sid}.json`,
    });
  }
}
