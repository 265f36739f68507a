import { isIP, Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { TemporalConnectionOptions } from './connection-options';

/**
 * A connection attempt of our own, to learn why the SDK's failed: grpc-js hides a failed TLS
 * handshake behind "Failed to connect before the deadline", and the Rust core's messages are
 * hard to read. Node's TLS errors carry OpenSSL's codes (CERT_HAS_EXPIRED, ERR_SSL_TLSV1_ALERT_UNKNOWN_CA).
 */
export type ProbeOutcome = { ok: true } | { ok: false; code: string; message: string };

/** The HTTP/2 connection preface and an empty SETTINGS frame: a server that accepts us answers. */
const HTTP2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

export function splitAddress(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(':');
  return { host: address.slice(0, separator).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(separator + 1)) };
}

function settle(socket: Socket, timeoutMs: number, onReady: () => void): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const finish = (outcome: ProbeOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(timeoutMs, () =>
      finish({ ok: false, code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` }),
    );
    // OpenSSL's errors carry a one-line `reason` and a multi-line message.
    socket.once('error', (error: NodeJS.ErrnoException & { reason?: string }) =>
      finish({ ok: false, code: error.code ?? 'ERROR', message: error.reason ?? error.message.split('\n')[0]! }),
    );
    socket.once('end', () => finish({ ok: false, code: 'ECONNRESET', message: 'the server closed the connection' }));
    socket.once('data', () => finish({ ok: true }));
    onReady();
  });
}

/**
 * Connects as the SDK would (TLS with the same CA, client certificate and server name, ALPN h2) and
 * waits for the server's first HTTP/2 frame: under TLS 1.3 a refused client certificate shows only
 * after the handshake.
 */
export function probeTemporal(options: TemporalConnectionOptions, timeoutMs = 3000): Promise<ProbeOutcome> {
  const { host, port } = splitAddress(options.address);
  if (!options.tls) {
    const socket = new Socket();
    return settle(socket, timeoutMs, () => socket.connect(port, host, () => socket.write(HTTP2_PREFACE)));
  }
  // Node checks the server's certificate against `servername`, or `host` without one; SNI may not be an IP.
  const serverName = options.tls.serverNameOverride ?? (isIP(host) ? undefined : host);
  const socket = tlsConnect({
    host,
    port,
    servername: serverName,
    ca: options.tls.serverRootCACertificate ? [Buffer.from(options.tls.serverRootCACertificate)] : undefined,
    cert: options.tls.clientCertPair ? Buffer.from(options.tls.clientCertPair.crt) : undefined,
    key: options.tls.clientCertPair ? Buffer.from(options.tls.clientCertPair.key) : undefined,
    ALPNProtocols: ['h2'],
  });
  return settle(socket, timeoutMs, () => socket.once('secureConnect', () => socket.write(HTTP2_PREFACE)));
}
