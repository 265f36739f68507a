import { Socket } from 'node:net';

/**
 * Integration tests run against the real local stack. When a service is missing they fail at once
 * with a message that says how to start it; they never skip.
 */

const START_HINT = 'Start the local stack with `npm run infra:up` (or run `npm test`, which starts it).';

function probe(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

function hostPort(address: string): [string, number] {
  const [host, port] = address.split(':');
  return [host!, Number(port)];
}

export const stackEnv = {
  temporal: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  kafka: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')[0]!,
  database: process.env.DATABASE_URL ?? 'postgres://campaigns:campaigns@127.0.0.1:5433/campaigns',
  smtp: process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025',
  mailpitApi: process.env.MAILPIT_API_URL ?? 'http://127.0.0.1:8025',
  /** Where the local trace backend (Jaeger) takes OTLP/HTTP, and where its query API answers. */
  otlp: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318',
  jaegerApi: process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686',
  /** The benchmark's latency proxies (infra/toxiproxy.sh). */
  toxiproxyApi: `http://127.0.0.1:${process.env.TOXIPROXY_PORT ?? '8474'}`,
};

export async function requireServices(
  names: Array<'temporal' | 'kafka' | 'postgres' | 'smtp' | 'mailpit' | 'jaeger' | 'toxiproxy'>,
): Promise<void> {
  const targets: Record<string, [string, number]> = {
    temporal: hostPort(stackEnv.temporal),
    kafka: hostPort(stackEnv.kafka),
    postgres: [new URL(stackEnv.database).hostname, Number(new URL(stackEnv.database).port || 5432)],
    smtp: [new URL(stackEnv.smtp).hostname, Number(new URL(stackEnv.smtp).port || 25)],
    mailpit: [new URL(stackEnv.mailpitApi).hostname, Number(new URL(stackEnv.mailpitApi).port || 80)],
    jaeger: [new URL(stackEnv.jaegerApi).hostname, Number(new URL(stackEnv.jaegerApi).port || 80)],
    toxiproxy: [new URL(stackEnv.toxiproxyApi).hostname, Number(new URL(stackEnv.toxiproxyApi).port)],
  };
  const missing: string[] = [];
  for (const name of names) {
    const [host, port] = targets[name]!;
    if (!(await probe(host, port))) missing.push(`${name} (${host}:${port})`);
  }
  if (missing.length) throw new Error(`Required services are not reachable: ${missing.join(', ')}. ${START_HINT}`);
}

/** Polls until `read` returns a value `accept` likes, or fails with the last value seen. */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}; ` +
      `last value: ${String(JSON.stringify(last)).slice(0, 500)}` +
      `${lastError instanceof Error ? `; last error: ${lastError.message}` : ''}`,
  );
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A suffix that makes IDs unique to one test run. */
export const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
