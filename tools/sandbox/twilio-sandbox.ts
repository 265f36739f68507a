import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertLocalUrl, TwilioCallbacks, type CallbackMode, type TwilioCallback } from './twilio-callbacks';

/**
 * A local stand-in for Twilio's Messages API (the only stand-in of the project: this machine cannot
 * reach Twilio). It speaks the wire format the official client uses — form-encoded POST to
 * /2010-04-01/Accounts/{sid}/Messages.json with basic auth, a 201 JSON resource back; the same
 * path's GET lists messages filtered by `To` and `DateSent>` — and records what it receives;
 * GET /sandbox/messages lists them (newest first), as an inbox for the demo.
 *
 * Like Twilio, it reports on a message created with a StatusCallback: signed callbacks (`sent`, then
 * `delivered` unless `deliveryOutcome` scripts otherwise) shortly after the 201, to 127.0.0.1 only.
 * `reply` (or POST /sandbox/reply with From and Body) posts a signed inbound message, as a phone's
 * reply would reach the app.
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
  /** queued, then what the status callbacks said. */
  status: string;
  statusCallback: string | null;
}

/** How a recipient's messages end: `undelivered` and `failed` carry Twilio's error code (30003, 21610…). */
export type DeliveryOutcome = { status: 'delivered' } | { status: 'undelivered' | 'failed'; errorCode: number };

export interface TwilioSandboxOptions {
  /** Where `reply` posts inbound messages (the tracking service's /webhooks/twilio/inbound). */
  inboundUrl?: string | undefined;
  /** How long after the 201 the first status callback is posted. */
  callbackDelayMs?: number;
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
  private readonly outcomes = new Map<string, DeliveryOutcome>();
  private readonly callbacks: TwilioCallbacks;
  /** Where `reply` posts; 127.0.0.1 only. */
  inboundUrl: string | undefined;
  private readonly callbackDelayMs: number;

  constructor(
    private readonly credentials = { accountSid: TWILIO_SANDBOX_ACCOUNT_SID, authToken: TWILIO_SANDBOX_AUTH_TOKEN },
    options: TwilioSandboxOptions = {},
  ) {
    this.callbacks = new TwilioCallbacks(credentials.authToken);
    this.inboundUrl = options.inboundUrl;
    this.callbackDelayMs = options.callbackDelayMs ?? 50;
  }

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

  /** How messages to this number end from now on (`delivered` by default); null goes back to the default. */
  deliveryOutcome(to: string, outcome: DeliveryOutcome | null): void {
    if (outcome) this.outcomes.set(to, outcome);
    else this.outcomes.delete(to);
  }

  /** `hold` keeps status callbacks in `heldCallbacks` for a test to post, repeat or reorder; `drop` loses them. */
  setCallbackMode(mode: CallbackMode): void {
    this.callbacks.mode = mode;
  }

  get heldCallbacks(): TwilioCallback[] {
    return this.callbacks.held;
  }

  /** Every callback posted so far, with the status the app answered (null: no answer, after a few tries). */
  get postedCallbacks() {
    return this.callbacks.posted;
  }

  /** Posts one callback (a held one, again, or out of order), signed; the app's answer status. */
  postCallback(callback: TwilioCallback): Promise<number> {
    return this.callbacks.post(callback);
  }

  /** Resolves once every status callback scheduled so far has been posted, held or dropped. */
  callbacksSettled(): Promise<void> {
    return this.callbacks.settled();
  }

  /** A reply from a phone: a signed inbound message to `inboundUrl`. The app's answer status. */
  async reply(from: string, body: string): Promise<number> {
    if (!this.inboundUrl) throw new Error('the Twilio sandbox has no inbound URL to post replies to');
    assertLocalUrl(this.inboundUrl);
    const ours = [...this.messages].reverse().find((message) => message.to === from);
    return this.callbacks.post({
      url: this.inboundUrl,
      params: {
        AccountSid: this.credentials.accountSid,
        MessageSid: newSid(),
        From: from,
        To: ours?.from ?? '+15550000000',
        Body: body,
        NumMedia: '0',
        NumSegments: '1',
        ApiVersion: '2010-04-01',
      },
    });
  }

  async stop(): Promise<void> {
    await this.callbacks.stop();
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
    if (req.method === 'POST' && req.url?.split('?')[0] === '/sandbox/reply') return this.handleReply(req, res);
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
      sid: newSid(),
      receivedAt: new Date().toISOString(),
      to,
      from: form.get('From'),
      messagingServiceSid: form.get('MessagingServiceSid'),
      body,
      status: 'queued',
      statusCallback: form.get('StatusCallback'),
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
    this.reportStatus(message);
  }

  /** Twilio's status callbacks for a created message, in the background: `sent`, then how it ended. */
  private reportStatus(message: ReceivedSms): void {
    const url = message.statusCallback;
    if (!url) return;
    const outcome = this.outcomes.get(message.to) ?? { status: 'delivered' };
    const statuses = outcome.status === 'failed' ? ['failed'] : ['sent', outcome.status];
    this.callbacks.background(async (signal) => {
      await sleep(this.callbackDelayMs, undefined, { signal });
      for (const status of statuses) {
        message.status = status;
        const params: Record<string, string> = {
          AccountSid: this.credentials.accountSid,
          MessageSid: message.sid,
          SmsSid: message.sid,
          MessageStatus: status,
          SmsStatus: status,
          To: message.to,
          From: message.from ?? '',
          ApiVersion: '2010-04-01',
        };
        if (status !== 'sent' && 'errorCode' in outcome) params.ErrorCode = String(outcome.errorCode);
        if (message.messagingServiceSid) params.MessagingServiceSid = message.messagingServiceSid;
        await this.callbacks.dispatch({ url, params }, signal);
      }
    });
  }

  /** POST /sandbox/reply (form or JSON From and Body): the demo's way to answer a text. */
  private async handleReply(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let fields: Record<string, unknown>;
    try {
      fields = req.headers['content-type']?.includes('json')
        ? (JSON.parse(raw || '{}') as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(raw));
    } catch {
      return answer(400, { message: 'the body is not JSON' });
    }
    if (
      fields === null ||
      typeof fields !== 'object' ||
      typeof fields.From !== 'string' ||
      typeof fields.Body !== 'string'
    )
      return answer(400, { message: 'expected From and Body' });
    try {
      answer(200, { delivered: true, status: await this.reply(fields.From, fields.Body) });
    } catch (error) {
      answer(502, { delivered: false, message: (error as Error).message });
    }
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
      status: message.status,
      status_callback: message.statusCallback,
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: new Date(message.receivedAt).toUTCString(),
      date_sent: new Date(message.receivedAt).toUTCString(),
      uri: `/2010-04-01/Accounts/${this.credentials.accountSid}/Messages/${message.sid}.json`,
    };
  }
}

const newSid = () => `SM${randomUUID().replace(/-/g, '')}`;
