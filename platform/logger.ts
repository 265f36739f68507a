import pino, { type DestinationStream, type Logger } from 'pino';
import { maskPiiInText } from './pii';

export type { Logger } from 'pino';

/**
 * The application logger. Every string that reaches a log line passes through the PII mask, and
 * fields that may carry secrets are censored by name.
 */
export function createLogger(name: string, level: string = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: {
        paths: [
          'password',
          'token',
          'authToken',
          'authorization',
          '*.password',
          '*.token',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
          'config.ADMIN_TOKEN',
          'config.DATABASE_URL',
          'apiKey',
          '*.apiKey',
          'config.TEMPORAL_API_KEY',
          // Temporal connection options: the mTLS client key.
          'clientCertPair.key',
          'tls.clientCertPair.key',
          '*.tls.clientCertPair.key',
        ],
        censor: '[redacted]',
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => maskDeep(arg)) as Parameters<typeof method>);
        },
      },
      serializers: { err: maskedError },
    },
    destination,
  );
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPiiInText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return maskedError(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, depth + 1)]));
}

/**
 * Errors are logged by allowlist: provider clients (axios under twilio, for one) attach their whole
 * request, credentials included, to the errors they throw.
 */
const SAFE_ERROR_FIELDS = ['code', 'status', 'responseCode', 'command', 'errno', 'syscall', 'moreInfo'] as const;

function maskedError(error: Error): Record<string, unknown> {
  // Already made safe by the log hook, which runs first.
  if (!(error instanceof Error))
    return typeof error === 'object' && error !== null ? error : { message: maskPiiInText(String(error)) };
  const safe: Record<string, unknown> = {
    type: error.constructor?.name ?? 'Error',
    message: maskPiiInText(error.message),
  };
  if (error.stack) safe.stack = maskPiiInText(error.stack);
  for (const field of SAFE_ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number') safe[field] = value;
  }
  if (error.cause instanceof Error) safe.cause = maskedError(error.cause);
  return safe;
}
