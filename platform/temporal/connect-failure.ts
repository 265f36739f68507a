import { X509Certificate } from 'node:crypto';
import type { TemporalConnectionOptions } from './connection-options';
import { probeTemporal, type ProbeOutcome } from './tls-probe';

/** A failed connection to Temporal, explained: what went wrong and which setting to check. */
export class TemporalConnectError extends Error {
  override readonly name = 'TemporalConnectError';
}

const CLIENT_CERT_SETTINGS = 'TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE';

/** OpenSSL's verdicts on the server's certificate chain, as Node reports them. */
const UNTRUSTED_SERVER = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** TLS alerts a server sends about the client's certificate (or its absence). */
const CLIENT_CERT_ALERT = new RegExp(
  'ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|' +
    'HANDSHAKE_FAILURE|ACCESS_DENIED|UNSUPPORTED_CERTIFICATE)$',
);

function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error && parts.length < 4; current = current.cause) {
    parts.push(current.message);
  }
  return parts.join(': ') || String(error);
}

function firstCode(error: unknown): number | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** What an answering server refused, from the gRPC status or the HTTP status a proxy answered with. */
function refusal(error: unknown): 'unauthenticated' | 'forbidden' | 'bad-request' | undefined {
  const text = errorText(error);
  const code = firstCode(error);
  if (code === 16 || /\b401\b/.test(text)) return 'unauthenticated';
  if (code === 7 || /\b403\b/.test(text)) return 'forbidden';
  if (/HTTP status code 400|status: 400 Bad Request/.test(text)) return 'bad-request';
  return undefined;
}

/** What is wrong with the configured client certificate as far as this machine can tell. */
function clientCertificateAdvice(options: TemporalConnectionOptions): string {
  const pair = options.tls?.clientCertPair;
  if (!pair) return `the server wants a client certificate: set ${CLIENT_CERT_SETTINGS}`;
  const certificate = new X509Certificate(Buffer.from(pair.crt));
  const [validFrom, validTo] = [Date.parse(certificate.validFrom), Date.parse(certificate.validTo)];
  const subject = 'the client certificate in TEMPORAL_TLS_CERT_FILE';
  if (validTo < Date.now()) return `${subject} expired on ${new Date(validTo).toISOString()}: renew it`;
  if (validFrom > Date.now()) return `${subject} is not valid until ${new Date(validFrom).toISOString()}`;
  return (
    `the server refused ${subject} (issued by ${certificate.issuer.replace(/\n/g, ', ')}): ` +
    `check that a CA the server trusts signed it`
  );
}

function credentialsAdvice(options: TemporalConnectionOptions, kind: 'unauthenticated' | 'forbidden'): string {
  if (kind === 'forbidden') {
    return (
      'the server knows the credentials but refuses them access: ' +
      'check what TEMPORAL_API_KEY or the client certificate may do'
    );
  }
  return options.apiKey
    ? 'the server refused the API key: check TEMPORAL_API_KEY'
    : `the server wants credentials: set TEMPORAL_API_KEY, or ${CLIENT_CERT_SETTINGS} for mTLS`;
}

/** Advice from our own connection attempt, when the SDK's error says too little. */
function probeAdvice(options: TemporalConnectionOptions, probe: ProbeOutcome): string | undefined {
  if (probe.ok) return undefined;
  const evidence = `(${probe.message})`;
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(probe.code)) {
    return `nothing answers there ${evidence}: check TEMPORAL_ADDRESS and that Temporal (or its proxy) is running`;
  }
  if (!options.tls) return undefined;
  if (UNTRUSTED_SERVER.has(probe.code)) {
    return (
      `the server's certificate is not trusted ${evidence}: check TEMPORAL_TLS_CA_FILE, ` +
      `which must hold the CA that signed the server's certificate (the system's CAs when unset)`
    );
  }
  if (probe.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return (
      `the server's certificate is not for the name connected to ${evidence}: ` +
      `set TEMPORAL_TLS_SERVER_NAME to a name the certificate is for`
    );
  }
  if (CLIENT_CERT_ALERT.test(probe.code)) return `${clientCertificateAdvice(options)} ${evidence}`;
  if (/WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|UNKNOWN_PROTOCOL/.test(probe.code)) {
    return (
      `the server does not speak TLS there ${evidence}: check TEMPORAL_ADDRESS, ` +
      `or set TEMPORAL_TLS=false (and no TLS settings) for a plaintext server`
    );
  }
  return undefined;
}

/**
 * Turns an SDK connect failure (grpc-js's or the Rust core's) into an error that says what to
 * check. It may connect once more, briefly, to find out.
 */
export async function explainConnectFailure(
  error: unknown,
  options: TemporalConnectionOptions,
): Promise<TemporalConnectError> {
  const where = `cannot connect to Temporal at ${options.address}${options.tls ? ' over TLS' : ''}`;
  const raw = errorText(error);
  const refused = refusal(error);
  let advice: string | undefined;
  if (refused === 'unauthenticated' || refused === 'forbidden') advice = credentialsAdvice(options, refused);
  else if (refused === 'bad-request' && options.tls) advice = clientCertificateAdvice(options);
  else advice = probeAdvice(options, await probeTemporal(options));
  if (!advice && !options.tls) {
    advice = 'check TEMPORAL_ADDRESS; if the server wants TLS, set TEMPORAL_TLS=true (and TEMPORAL_TLS_CA_FILE)';
  }
  advice ??=
    'check TEMPORAL_ADDRESS, TEMPORAL_TLS_CA_FILE, TEMPORAL_TLS_SERVER_NAME' +
    (options.apiKey ? ', TEMPORAL_API_KEY' : `, ${CLIENT_CERT_SETTINGS}`);
  return new TemporalConnectError(`${where}: ${advice} [${raw}]`, { cause: error });
}
