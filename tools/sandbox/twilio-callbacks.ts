import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';

/** One webhook request Twilio would make: the URL it was given and the form fields it posts. */
export interface TwilioCallback {
  url: string;
  params: Record<string, string>;
}

/** What became of a callback the sandbox posted: the answer's status, or why there was none. */
export interface PostedCallback {
  callback: TwilioCallback;
  status: number | null;
  error?: string;
}

/** `post` sends callbacks as they come; `hold` keeps them for the test to post (or not); `drop` loses them. */
export type CallbackMode = 'post' | 'hold' | 'drop';

/** At most this many tries per callback: a connection failure or 5xx is tried again, a 4xx is not. */
const MAX_TRIES = 3;
const RETRY_DELAY_MS = 200;
const REQUEST_TIMEOUT_MS = 5_000;

/** Callbacks reach only this machine: the sandbox must never post to a host it was merely told about. */
export function assertLocalUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' || parsed.hostname !== '127.0.0.1')
    throw new Error(`the Twilio sandbox posts only to http://127.0.0.1 URLs, not ${parsed.origin}`);
  return parsed;
}

/**
 * Posts Twilio-style webhooks: form-urlencoded, signed with X-Twilio-Signature (the twilio
 * library's own helper) for the auth token the app is configured with.
 */
export class TwilioCallbacks {
  mode: CallbackMode = 'post';
  readonly held: TwilioCallback[] = [];
  readonly posted: PostedCallback[] = [];
  readonly dropped: TwilioCallback[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = new AbortController();

  constructor(private readonly authToken: string) {}

  /** Runs `work` in the background (never blocking the caller), tracked so that `settled` and `stop` can wait. */
  background(work: (signal: AbortSignal) => Promise<void>): void {
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    const running = work(this.stopping.signal).catch(() => undefined);
    this.inFlight.add(running);
    void running.finally(() => this.inFlight.delete(running));
  }

  /** Posts, holds or drops a callback as `mode` says. */
  async dispatch(callback: TwilioCallback, signal: AbortSignal): Promise<void> {
    if (this.mode === 'hold') this.held.push(callback);
    else if (this.mode === 'drop') this.dropped.push(callback);
    else await this.post(callback, signal).catch(() => undefined);
  }

  /** Signs and posts one callback, trying again a few times; the final answer's status, or throws. */
  async post(callback: TwilioCallback, signal: AbortSignal = this.stopping.signal): Promise<number> {
    let lastError = '';
    try {
      assertLocalUrl(callback.url);
      for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
        if (attempt > 1) await sleep(RETRY_DELAY_MS * (attempt - 1), undefined, { signal });
        try {
          const response = await fetch(callback.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              'x-twilio-signature': twilio.getExpectedTwilioSignature(this.authToken, callback.url, callback.params),
            },
            body: new URLSearchParams(callback.params).toString(),
            signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
          });
          await response.arrayBuffer();
          if (response.status < 500 || attempt === MAX_TRIES) {
            this.posted.push({ callback, status: response.status });
            return response.status;
          }
          lastError = `HTTP ${response.status}`;
        } catch (error) {
          if (signal.aborted) throw error;
          lastError = (error as Error).message;
        }
      }
    } catch (error) {
      lastError = (error as Error).message;
    }
    this.posted.push({ callback, status: null, error: lastError });
    throw new Error(`the callback to ${callback.url} failed: ${lastError}`);
  }

  /** Resolves once every callback scheduled so far has been posted, held or dropped. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Abandons every scheduled callback and waits for them to end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.settled();
  }
}
