import { Counter, Histogram, register } from 'prom-client';
import { CAPPED_REASON } from '../platform/db/delivery-ledger';
import type { Channel } from '../platform/db/schema';

/**
 * The worker's own metrics (docs/METRICS.md), on prom-client's default registry, which the worker
 * serves at /metrics together with the Temporal SDK's runtime metrics.
 */

/** Sends held back because our own deployment is misconfigured (credentials, sender). */
export const deliveryMisconfigured = new Counter({
  name: 'delivery_misconfigured_total',
  help: "Send attempts refused because of the deployment's provider credentials or sender; retried until fixed",
  labelNames: ['channel', 'reason'],
  registers: [register],
});

/** A send's final result: counted once, by the attempt that settled it. */
export type MessageResult = 'sent' | 'skipped' | 'failed' | 'unknown' | 'held_out';

const messages = new Counter({
  name: 'messages_total',
  help: 'Sends by final result, counted once by the attempt that settled them (never per retry)',
  labelNames: ['campaign', 'step', 'channel', 'result'],
  registers: [register],
});

const skippedMessages = new Counter({
  name: 'messages_skipped_total',
  help: 'Skipped sends (messages_total{result="skipped"}) by the class of the reason the ledger records',
  labelNames: ['campaign', 'step', 'channel', 'reason'],
  registers: [register],
});

/** The bounded classes of the free-text reasons a skipped send is recorded with. */
export type SkipClass = 'no_address' | 'no_consent' | 'suppressed' | 'frequency_cap' | 'cancelled' | 'not_configured';

const SKIP_CLASSES: Array<[RegExp, SkipClass]> = [
  [/^no \w+ address/, 'no_address'],
  [/^no \w+ consent/, 'no_consent'],
  [/^suppressed: /, 'suppressed'],
  [new RegExp(`^${CAPPED_REASON}`), 'frequency_cap'],
  [/^cancelled/, 'cancelled'],
  [/not configured/, 'not_configured'],
];

/** The class of a skip reason as the ledger words it; `other` for a wording this list does not know. */
export function skipClassOf(reason: string): SkipClass | 'other' {
  return SKIP_CLASSES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}

export interface CountedMessage {
  campaign: string;
  step: string;
  /** The channel the step was to use (for a held-out customer: the channel it would have used). */
  channel: Channel;
  result: MessageResult;
  /** For `skipped`: the ledger's reason, counted by its class in messages_skipped_total. */
  skipReason?: string;
}

/** Counts a send's final result. Call it once per send: where its result is settled, never per attempt. */
export function countMessage(message: CountedMessage): void {
  const { campaign, step, channel, result } = message;
  messages.inc({ campaign, step, channel, result });
  if (result === 'skipped')
    skippedMessages.inc({ campaign, step, channel, reason: skipClassOf(message.skipReason ?? '') });
}

const journeysEnded = new Counter({
  name: 'journeys_ended_total',
  help: 'Journeys ended, by outcome and experiment group, counted once per journey',
  labelNames: ['campaign', 'outcome', 'group'],
  registers: [register],
});

export type JourneyGroup = 'treatment' | 'holdout';

export function countJourneyEnd(end: { campaign: string; outcome: string; group: JourneyGroup }): void {
  journeysEnded.inc(end);
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const eventToSend = new Histogram({
  name: 'event_to_send_seconds',
  help: "From the journey's entry event (its occurredAt) to the provider's acceptance of the message",
  labelNames: ['campaign', 'step', 'channel'],
  buckets: [1, 10, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 12 * HOUR, DAY, 2 * DAY],
  registers: [register],
});

const sendDuration = new Histogram({
  name: 'send_duration_seconds',
  help: "From the journey's decision to send to the provider's acceptance, retries included",
  labelNames: ['channel'],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY],
  registers: [register],
});

/**
 * Times a message the provider accepted at `acceptedAtMs`: from the journey's decision (`decidedAtMs`,
 * the journey's clock) and, when known, from its entry event. A clock behind the decision counts as 0.
 */
export function observeAcceptedSend(send: {
  campaign: string;
  step: string;
  channel: Channel;
  decidedAtMs: number;
  entryEventAtMs?: number | undefined;
  acceptedAtMs: number;
}): void {
  const seconds = (fromMs: number) => Math.max(0, send.acceptedAtMs - fromMs) / 1000;
  sendDuration.observe({ channel: send.channel }, seconds(send.decidedAtMs));
  if (send.entryEventAtMs !== undefined)
    eventToSend.observe(
      { campaign: send.campaign, step: send.step, channel: send.channel },
      seconds(send.entryEventAtMs),
    );
}
