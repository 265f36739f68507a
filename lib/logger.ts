import pino, { type Logger } from 'pino';
import { maskPiiInText } from './pii';

export type { Logger } from 'pino';

/**
 * The application logger. Every string that reaches a log line passes through the PII mask, and
 * fields that may carry secrets are censored by name.
 */
export function createLogger(name: string, level: string = 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['password', 'token', 'authToken', 'authorization', '*.password', '*.token', '*.authorization',
        'headers.authorization', 'req.headers.authorization', 'config.ADMIN_TOKEN', 'config.DATABASE_URL'],
      censor: '[redacted]',
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => maskDeep(arg)) as Parameters<typeof method>);
      },
    },
    serializers: { err: maskedError },
  });
}

function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPiiInText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskDeep(item, depth + 1)]));
}

function maskedError(error: Error): pino.SerializedError {
  const serialized = pino.stdSerializers.err(error);
  serialized.message = maskPiiInText(serialized.message);
  if (serialized.stack) serialized.stack = maskPiiInText(serialized.stack);
  return serialized;
}
