import type { Logger } from '../platform/logger';

/** How long one dependency check may take before /readyz calls it a timeout. */
export const READINESS_TIMEOUT_MS = 2_000;

export interface ReadinessCheck {
  name: string;
  /** Rejects when the dependency is not usable; should stop its work once `signal` aborts. */
  check: (signal: AbortSignal) => Promise<void>;
}

/** What /readyz says about a dependency: short, and never the driver's own words. */
export type ReadinessStatus = 'ok' | 'timeout' | 'unreachable' | 'failing';

export interface ReadinessResult {
  name: string;
  ok: boolean;
  status: ReadinessStatus;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);
const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
]);
const GRPC_UNAVAILABLE = 14;

/** Whether an error says the dependency could not be reached at all (as opposed to answering badly). */
export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const { code } = current as { code?: unknown };
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    if (code === GRPC_UNAVAILABLE || CONNECTION_ERRORS.has(current.name)) return true;
    if (/^Connection terminated/.test(current.message)) return true;
  }
  return false;
}

async function runCheck({ name, check }: ReadinessCheck, timeoutMs: number, logger: Logger): Promise<ReadinessResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    await Promise.race([check(controller.signal), timedOut]);
    return { name, ok: true, status: 'ok' };
  } catch (error) {
    const status: ReadinessStatus = controller.signal.aborted
      ? 'timeout'
      : isConnectionFailure(error)
        ? 'unreachable'
        : 'failing';
    logger.warn({ check: name, status, err: error }, 'readiness check failed');
    return { name, ok: false, status };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check at once, each bounded by `timeoutMs`; the raw errors go to the log only. */
export async function checkReadiness(
  checks: ReadinessCheck[],
  timeoutMs: number,
  logger: Logger,
): Promise<ReadinessResult[]> {
  return Promise.all(checks.map((check) => runCheck(check, timeoutMs, logger)));
}
