import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local stand-in for Twilio's Messages API (the only stand-in of the project: this machine cannot
 * reach Twilio). It speaks the wire format the official client uses — form-encoded POST to
 * /2010-04-01/Accounts/{sid}/Messages.json with basic auth, a 201 JSON resource back; the same
 * path's GET lists messages filtered by `To` and `DateSent>` — and records what it receives;
 * GET /sandbox/messages lists them (newest first), as an inbox for the demo.
 */

/** After accepting a message: answer a gateway error, or never answer. */
export type AfterAccept = 502 | 504 | 'hang';

export interface ReceivedSms {
  sid: string;
  receivedAt: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
}

export type TwilioFaultMode = 'pass' | 'refuse' | 'black-hole' | 'slow' | 'auth-failure' | 'server-error';
export const TWILIO_FAULT_MODES: TwilioFaultMode[] = [
  'pass',
  'refuse',
  'black-hole',
  'slow',
  'auth-failure',
  'server-error',
];

export const TWILIO_SANDBOX_ACCOUNT_SID = `AC${'0'.repeat(31)}1`;
export const TWILIO_SANDBOX_AUTH_TOKEN = 'test-auth-token-1234';

export class TwilioSandbox {
  readonly messages: ReceivedSms[] = [];
  private server: Server | null = null;
  private scriptedFailures: Array<{ status: number; code: number }> = [];
  private scriptedDelays: number[] = [];
  private afterAccept: AfterAccept[] = [];
  private credentialsRefused = false;

  constructor(
    private readonly credentials = { accountSid: TWILIO_SANDBOX_ACCOUNT_SID, authToken: TWILIO_SANDBOX_AUTH_TOKEN },
  ) {}

  /** Listens on 127.0.0.1; port 0 picks a free one. */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    return this.baseUrl;
  }

  /** The configuration that points a worker or admin API at this server. */
  env(from = '+15550000000'): Record<string, string> {
    return {
      TWILIO_ACCOUNT_SID: this.credentials.accountSid,
      TWILIO_AUTH_TOKEN: this.credentials.authToken,
      TWILIO_FROM: from,
      TWILIO_API_BASE_URL: this.baseUrl,
    };
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The next requests answer with these errors, in order, before the server accepts again. */
  failNext(...failures: Array<{ status: number; code: number }>): void {
    this.scriptedFailures.push(...failures);
  }

  /** The next accepted messages are answered only after these delays (ms), in order: a slow provider. */
  delayNext(...delaysMs: number[]): void {
    this.scriptedDelays.push(...delaysMs);
  }

  /** The next accepted messages are kept, then answered with a 502 or 504, or never answered. */
  acceptThenFailNext(...outcomes: AfterAccept[]): void {
    this.afterAccept.push(...outcomes);
  }

  /** While on, every API request is refused with 401 / 20003, as after a token rotation. */
  refuseCredentials(refused: boolean): void {
    this.credentialsRefused = refused;
  }

  to(phone: string): ReceivedSms[] {
    return this.messages.filter((message) => message.to === phone);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    // Requests left hanging on purpose would hold close() open.
    this.server?.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url?.split('?')[0] === '/sandbox/messages') {
      return json(200, { messages: [...this.messages].reverse() });
    }
    const expected =
      `Basic ` + `${Buffer.from(`${this.credentials.accountSid}:${this.credentials.authToken}`).toString('base64')}`;
    const authenticated = (accountSid: string | undefined) =>
      !this.credentialsRefused && req.headers.authorization === expected && accountSid === this.credentials.accountSid;
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const fetchOne = url.pathname.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/(SM[0-9a-f]+)\.json$/);
    if (req.method === 'GET' && fetchOne) {
      if (!authenticated(fetchOne[1])) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
      const found = this.messages.find((message) => message.sid === fetchOne[2]);
      return found
        ? json(200, this.resource(found))
        : json(404, { code: 20404, message: `The requested resource ${url.pathname} was not found`, status: 404 });
    }
    const match = url.pathname.match(/^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/);
    if ((req.method !== 'POST' && req.method !== 'GET') || !match)
      return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    if (await this.answeredByFaultMode(req, res)) return;
    if (!authenticated(match[1])) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
    if (req.method === 'GET') return json(200, this.page(url));

    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const form = new URLSearchParams(raw);
    const to = form.get('To');
    const body = form.get('Body');
    if (!to || !/^\+[1-9]\d{6,14}$/.test(to))
      return json(400, {
        code: 21211,
        message: `The 'To' number ${to ?? ''} is not a valid phone number.`,
        status: 400,
      });
    if (!body) return json(400, { code: 21602, message: 'Message body is required.', status: 400 });
    if (!form.get('From') && !form.get('MessagingServiceSid'))
      return json(400, { code: 21603, message: "A 'From' phone number is required.", status: 400 });
    const failure = this.scriptedFailures.shift();
    if (failure)
      return json(failure.status, { code: failure.code, message: 'Scripted failure', status: failure.status });

    const delay = this.scriptedDelays.shift();
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const message: ReceivedSms = {
      sid: `SM${randomUUID().replace(/-/g, '')}`,
      receivedAt: new Date().toISOString(),
      to,
      from: form.get('From'),
      messagingServiceSid: form.get('MessagingServiceSid'),
      body,
    };
    this.messages.push(message);
    const after = this.afterAccept.shift();
    if (after === 'hang') return;
    if (after)
      return json(after, {
        code: after === 502 ? 20502 : 20504,
        message: after === 502 ? 'Bad Gateway' : 'Gateway Timeout',
        status: after,
      });
    if (!res.destroyed) json(201, this.resource(message));
  }

  /** One page of the Messages list, newest first, filtered as Twilio filters `To` and `DateSent>` (on or after). */
  private page(url: URL) {
    const to = url.searchParams.get('To');
    const sentAfter = url.searchParams.get('DateSent>');
    const sinceMs = sentAfter ? Date.parse(sentAfter) : Number.NEGATIVE_INFINITY;
    const pageSize = Math.min(Number(url.searchParams.get('PageSize') ?? 50) || 50, 1000);
    const matching = [...this.messages]
      .reverse()
      .filter((message) => (!to || message.to === to) && Date.parse(message.receivedAt) >= sinceMs)
      .slice(0, pageSize);
    const uri = `${url.pathname}${url.search}`;
    return {
      messages: matching.map((message) => this.resource(message)),
      uri,
      first_page_uri: uri,
      next_page_uri: null,
      previous_page_uri: null,
      page: 0,
      page_size: pageSize,
      start: 0,
      end: Math.max(matching.length - 1, 0),
    };
  }

  // ---- Fault modes (used by the fuzzer): a provider incident that lasts until the mode changes back. ----

  private faultModeNow: TwilioFaultMode = 'pass';
  private faultPort = 0;
  /** Requests answered by each fault mode, so a run can prove its faults were hit. */
  readonly faultHits: Record<TwilioFaultMode, number> = {
    pass: 0,
    refuse: 0,
    'black-hole': 0,
    slow: 0,
    'auth-failure': 0,
    'server-error': 0,
  };

  get faultMode(): TwilioFaultMode {
    return this.faultModeNow;
  }

  /**
   * `refuse` closes the listener (connecting fails), `black-hole` takes the request and never
   * answers, `slow` answers `slowMs` late, `auth-failure` answers 401/20003 as when the account's
   * credentials were rotated, `server-error` answers 503 before reading anything. `pass` is normal.
   */
  async setFaultMode(mode: TwilioFaultMode, slowMs = 3_000): Promise<void> {
    if (mode === this.faultModeNow) return;
    const wasRefusing = this.faultModeNow === 'refuse';
    this.faultModeNow = mode;
    this.faultSlowMs = slowMs;
    for (const socket of this.blackHoled) socket.destroy();
    this.blackHoled.clear();
    if (mode === 'refuse') {
      this.faultPort = (this.server!.address() as AddressInfo).port;
      this.server!.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
      // let clients see their kept-alive connections close, so their next request connects (and is refused)
      await new Promise((resolve) => setTimeout(resolve, 50));
    } else if (wasRefusing) {
      await this.start(this.faultPort);
    }
  }

  private faultSlowMs = 3_000;
  private readonly blackHoled = new Set<Socket>();

  private async answeredByFaultMode(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const mode = this.faultModeNow;
    this.faultHits[mode] += 1;
    if (mode === 'pass') return false;
    if (mode === 'black-hole') {
      this.blackHoled.add(req.socket);
      req.socket.once('close', () => this.blackHoled.delete(req.socket));
      return true;
    }
    if (mode === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, this.faultSlowMs));
      return false;
    }
    const [status, code, message] =
      mode === 'auth-failure' ? [401, 20003, 'Authenticate'] : [503, 20500, 'Service unavailable'];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, status }));
    return true;
  }

  private resource(message: ReceivedSms) {
    return {
      sid: message.sid,
      account_sid: this.credentials.accountSid,
      to: message.to,
      from: message.from,
      messaging_service_sid: message.messagingServiceSid,
      body: message.body,
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: new Date(message.receivedAt).toUTCString(),
      date_sent: new Date(message.receivedAt).toUTCString(),
      uri: `/2010-04-01/Accounts/${this.credentials.accountSid}/Messages/${message.sid}.json`,
    };
  }
}
