import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * What the worker's SMTP URL points at in fault tests: a TCP front on 127.0.0.1 that is, by turns,
 * a black hole (accepts the connection, never greets), a greylisting server (a 450 to RCPT TO that
 * quotes the address, as Postfix does), or a transparent pipe to a real SMTP server (Mailpit).
 */
export type FrontMode = { kind: 'black_hole' } | { kind: 'greylist' } | { kind: 'pipe'; port: number };

export class SmtpFront {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private mode: FrontMode = { kind: 'black_hole' };
  /** Connections accepted, per mode kind. */
  readonly connections: Record<FrontMode['kind'], number> = { black_hole: 0, greylist: 0, pipe: 0 };

  async start(): Promise<number> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** New connections get the new behaviour; open ones are cut, as a restarted server would. */
  become(mode: FrontMode): void {
    this.mode = mode;
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.track(client);
    this.connections[this.mode.kind] += 1;
    if (this.mode.kind === 'black_hole') {
      client.on('data', () => undefined);
    } else if (this.mode.kind === 'greylist') {
      greylist(client);
    } else {
      const upstream = this.track(createConnection(this.mode.port, '127.0.0.1'));
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    }
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  }
}

function greylist(client: Socket): void {
  let buffered = '';
  client.write('220 greylist.test ESMTP\r\n');
  client.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let end: number;
    while ((end = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const rcpt = /^RCPT TO:\s*(<[^>]*>)/i.exec(line);
      if (/^(EHLO|HELO)/i.test(line)) client.write('250 greylist.test\r\n');
      else if (/^MAIL FROM/i.test(line)) client.write('250 2.1.0 Ok\r\n');
      else if (rcpt) client.write(`450 4.2.0 ${rcpt[1]}: Recipient address rejected: Greylisted, try again later\r\n`);
      else if (/^QUIT/i.test(line)) client.end('221 2.0.0 Bye\r\n');
      else client.write('503 5.5.1 Error: need RCPT command\r\n');
    }
  });
}
