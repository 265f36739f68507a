import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real SMTP server (Mailpit) that can break the way a provider breaks.
 * The worker's SMTP_URL points at it; in `pass` mode every byte goes through untouched.
 *
 * - `refuse`: the listener is closed, so connecting fails (ECONNREFUSED);
 * - `black-hole`: connections are accepted and never answered;
 * - `slow`: the proxy waits `slowMs` before it connects upstream, so the greeting comes late;
 * - `auth-failure`: a fake server greets and answers MAIL FROM with 530 (authentication required),
 *   which is what nodemailer hits when the provider starts demanding credentials it was not given;
 * - `temp-failure`: MAIL FROM answered with 451 (a 4xx the server would answer in an incident);
 * - `incident-5xx`: MAIL FROM answered with 554, a provider's incident answered as if final.
 *
 * Every mode change drops the open connections (a pooled transport would otherwise keep a healthy
 * one through the fault), as a provider outage does; a connection carrying traffic is dropped once
 * it has been quiet for a moment (at most 2 s later), so the fault itself never cuts a message in half.
 */
export type SmtpFaultMode =
  'pass' | 'refuse' | 'black-hole' | 'slow' | 'auth-failure' | 'temp-failure' | 'incident-5xx';
export const SMTP_FAULT_MODES: SmtpFaultMode[] = [
  'pass',
  'refuse',
  'black-hole',
  'slow',
  'auth-failure',
  'temp-failure',
  'incident-5xx',
];

const MAIL_FROM_ANSWER: Partial<Record<SmtpFaultMode, string>> = {
  'auth-failure': '530 5.7.0 Authentication required',
  'temp-failure': '451 4.3.0 Temporary local problem, try again later',
  'incident-5xx': '554 5.3.0 Service unavailable during an incident',
};

const QUIET_MS = 150;

export class SmtpFaultProxy {
  private server: Server | null = null;
  private port = 0;
  private current: SmtpFaultMode = 'pass';
  private readonly open = new Set<Socket>();
  private readonly lastActivity = new WeakMap<Socket, number>();
  /** When a connection to the real server failed or was cut by it (it went away on its own): epoch ms. */
  readonly upstreamFailures: number[] = [];
  /** Connections accepted in each mode, so a run can prove its faults were hit. */
  readonly connections: Record<SmtpFaultMode, number> = {
    pass: 0,
    refuse: 0,
    'black-hole': 0,
    slow: 0,
    'auth-failure': 0,
    'temp-failure': 0,
    'incident-5xx': 0,
  };

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly slowMs = 3_000,
  ) {}

  get mode(): SmtpFaultMode {
    return this.current;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Listens on 127.0.0.1; port 0 picks a free one, kept for the proxy's life. */
  async start(port = 0): Promise<string> {
    await this.listen(port);
    return this.url;
  }

  async setMode(mode: SmtpFaultMode): Promise<void> {
    if (mode === this.current) return;
    const wasRefusing = this.current === 'refuse';
    this.current = mode;
    this.dropConnections();
    if (mode === 'refuse') await this.closeListener();
    else if (wasRefusing) await this.listen(this.port);
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await this.closeListener();
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async closeListener(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private dropConnections(): void {
    const sockets = [...this.open];
    this.open.clear();
    const giveUpAt = Date.now() + 2_000;
    const dropWhenQuiet = (socket: Socket) => {
      if (socket.destroyed) return;
      if (Date.now() - (this.lastActivity.get(socket) ?? 0) >= QUIET_MS || Date.now() >= giveUpAt) socket.destroy();
      else setTimeout(() => dropWhenQuiet(socket), QUIET_MS).unref();
    };
    for (const socket of sockets) dropWhenQuiet(socket);
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    const touch = () => this.lastActivity.set(socket, Date.now());
    touch();
    socket.on('data', touch);
    socket.once('close', () => this.open.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private accept(client: Socket): void {
    const mode = this.current;
    this.connections[mode] += 1;
    this.track(client);
    if (mode === 'black-hole') return;
    if (mode === 'pass' || mode === 'slow') {
      client.pause();
      const join = () => {
        if (client.destroyed) return;
        const upstream = connect(this.upstream.port, this.upstream.host);
        this.track(upstream);
        let greeted = false;
        upstream.once('data', () => {
          greeted = true;
        });
        upstream.once('error', () => {
          this.upstreamFailures.push(Date.now());
          // the real server is down: say so as it would, rather than cut a connection the client thinks is up
          if (!greeted && !client.destroyed) client.end('421 4.3.0 Service not available, try again later\r\n');
        });
        upstream.once('close', (hadError) => {
          if (!hadError || greeted) client.destroy();
        });
        client.once('close', () => upstream.destroy());
        upstream.pipe(client, { end: false });
        client.pipe(upstream);
        client.resume();
      };
      if (mode === 'slow') setTimeout(join, this.slowMs).unref();
      else join();
      return;
    }
    this.fakeServer(client, MAIL_FROM_ANSWER[mode]!);
  }

  /** Just enough SMTP for a client to reach MAIL FROM and get `answer`. */
  private fakeServer(client: Socket, answer: string): void {
    const reply = (line: string) => {
      if (!client.destroyed) client.write(`${line}\r\n`);
    };
    reply('220 fault-proxy ESMTP');
    let buffered = '';
    client.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') reply('250 fault-proxy');
        else if (verb === 'MAIL') reply(answer);
        else if (verb === 'RSET' || verb === 'NOOP') reply('250 OK');
        else if (verb === 'QUIT') {
          reply('221 Bye');
          client.end();
        } else reply('503 5.5.1 Bad sequence of commands');
      }
    });
  }
}
