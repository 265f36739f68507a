export interface RetryOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Called between attempts; kafkajs' heartbeat keeps the group membership alive while we wait. */
  beforeAttempt: () => Promise<void>;
  isStopping: () => boolean;
  onRetry: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export class StoppedWhileRetrying extends Error {
  override readonly name = 'StoppedWhileRetrying';
}

/** Exponential backoff with full jitter. */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `work` until it succeeds. Nothing is given up: the message is held (and its partition with
 * it) until the dependency is back, or until shutdown, which leaves the offset uncommitted.
 */
export async function retryUntilDone<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (options.isStopping()) throw new StoppedWhileRetrying('Shutting down with the message unacknowledged', { cause: error });
      const delayMs = backoffDelay(attempt, options.initialDelayMs, options.maxDelayMs, random);
      options.onRetry(error, attempt, delayMs);
      await sleep(delayMs);
      await options.beforeAttempt();
    }
  }
}
