export interface RetryOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Called between attempts; kafkajs' heartbeat keeps the group membership alive while we wait. */
  beforeAttempt: () => Promise<void>;
  /**
   * Also call `beforeAttempt` this often during a backoff and during an attempt, either of which may
   * outlast the consumer-group session (a Temporal client call to a server that is down retries for
   * about 20 s).
   */
  heartbeatIntervalMs?: number;
  isStopping: () => boolean;
  onRetry: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export class StoppedWhileRetrying extends Error {
  override readonly name = 'StoppedWhileRetrying';
}

/**
 * Exponential backoff with equal jitter: a delay between half and all of the doubling ceiling, so a
 * retry never comes at once yet retries from many partitions still spread out.
 */
export function backoffDelay(
  attempt: number,
  initialDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
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
      return await heartbeatingDuring(work, options);
    } catch (error) {
      if (error instanceof HeartbeatFailed) throw error.cause;
      if (options.isStopping())
        throw new StoppedWhileRetrying('Shutting down with the message unacknowledged', { cause: error });
      const delayMs = backoffDelay(attempt, options.initialDelayMs, options.maxDelayMs, random);
      options.onRetry(error, attempt, delayMs);
      const sliceMs = options.heartbeatIntervalMs ?? delayMs;
      for (let waitedMs = 0; waitedMs < delayMs; waitedMs += sliceMs) {
        await sleep(Math.min(sliceMs, delayMs - waitedMs));
        await options.beforeAttempt();
      }
    }
  }
}

class HeartbeatFailed extends Error {
  override readonly name = 'HeartbeatFailed';
}

/**
 * One attempt, heartbeating meanwhile; a failed heartbeat (the group is rebalancing) wins over the
 * attempt's own error.
 */
async function heartbeatingDuring<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  if (!options.heartbeatIntervalMs) return work();
  let heartbeatError: HeartbeatFailed | null = null;
  const keepAlive = setInterval(() => {
    options.beforeAttempt().catch((error: unknown) => {
      heartbeatError ??= new HeartbeatFailed('heartbeat failed', { cause: error });
    });
  }, options.heartbeatIntervalMs);
  try {
    return await work();
  } catch (error) {
    throw heartbeatError ?? error;
  } finally {
    clearInterval(keepAlive);
  }
}
