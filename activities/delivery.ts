import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { Db } from '../platform/db/database';
import {
  confirmSent,
  findDelivery,
  recordSkipped,
  releaseReservation,
  reserveDelivery,
  settleDelivery,
  type DeliveryKey,
  type DeliveryRecord,
  type FrequencyCap,
} from '../platform/db/delivery-ledger';
import { findProfile, type Profile } from '../platform/db/profiles';
import type { Logger } from '../platform/logger';
import { maskPiiInText } from '../platform/pii';
import { countMessage, deliveryMisconfigured, observeAcceptedSend, type MessageResult } from './worker-metrics';
import type { Channel } from '../platform/db/schema';
import type { TemplateRequest } from '../contract/templates';
import { ATTEMPT_STOPPED, DELIVERY_IN_PROGRESS, PERMANENT_DELIVERY_ERROR } from '../contract/errors';
import type { TemplateContent } from '../platform/db/templates';
import { templateCatalogOf, type TemplateCatalog } from './templates/catalog';
import { journeyIdOf, linkTracker, type LinkSettings, type LinkTracker } from './link-tracking';
import { inProviderSpan } from './provider-span';

/** One message a journey wants to send. Everything in it comes from workflow state. */
export interface DeliveryRequest {
  idempotencyKey: string;
  campaign: string;
  customerId: string;
  step: string;
  /** The journey's clock at the send; caps are counted in it. */
  atMs: number;
  template: TemplateRequest;
  /** When the journey's entry event occurred: event_to_send_seconds is measured from it (docs/METRICS.md). */
  entryEventAtMs?: number;
}

export type SendOutcome =
  /** `acceptedAtMs`: when the provider took a first delivery, by the worker's clock. */
  | { status: 'sent'; messageId: string; firstDelivery: boolean; acceptedAtMs?: number }
  | { status: 'not_sent'; reason: string }
  /** The contact policy no longer allows this send now (campaign paused, quiet hours): the journey plans it again. */
  | { status: 'deferred'; reason: string };

/** What the contact policy says of a send at one instant; the activities' `planSend` answers it. */
export type PolicyVerdict =
  | { kind: 'go' }
  | { kind: 'paused' }
  | { kind: 'cancelled'; reason: string }
  | { kind: 'quiet_hours'; until: string }
  | { kind: 'unreachable'; reason: string };

/** How one provider failed: decides between retrying, giving up, and not knowing. */
export type FailureKind = 'permanent' | 'not_accepted' | 'misconfigured' | 'ambiguous';

/** A classified provider failure: `reason` is PII-masked; `code` is the provider's code, for metrics. */
export interface ProviderFailure {
  kind: FailureKind;
  reason: string;
  code?: string;
}

/** The channel-specific half of a delivery: address, consent, rendering, the provider call. */
export interface ChannelSender<Content> {
  channel: Channel;
  addressOf(profile: Profile): string | null;
  consentOf(profile: Profile): boolean;
  /**
   * Renders the message from the template version the send uses (`content`, as stored), its links
   * tracked by `links` (the same rows, so the same text, at every attempt).
   */
  render(request: DeliveryRequest, profile: Profile, content: TemplateContent, links: LinkTracker): Promise<Content>;
  messageIdFor(idempotencyKey: string): string;
  /**
   * Calls the provider. When `cancelled` aborts before any of the message has been handed over (an
   * SMTP session still connecting or waiting for its greeting), the sender gives up and throws
   * `SendCancelled`; once the message is on its way, the call runs to its end.
   */
  send(
    address: string,
    content: Content,
    messageId: string,
    request: DeliveryRequest,
    cancelled: AbortSignal,
  ): Promise<string>;
  /** Classifies a failed `send`; the reason is PII-masked. */
  classify(error: unknown): ProviderFailure;
  /**
   * Asks the provider whether an ambiguous send went through: the provider's ID of our message, or
   * null when it provably did not arrive. Throws when the provider cannot be asked.
   */
  findSent?(address: string, content: Content, sinceMs: number): Promise<string | null>;
  mask(address: string): string;
}

export interface DeliveryDependencies {
  db: Db;
  logger: Logger;
  reservationLeaseMs: number;
  frequencyCap: () => Promise<FrequencyCap>;
  /** The contact policy (pause, quiet hours), asked again at every attempt: a retry may come hours later. */
  contactPolicy: (request: DeliveryRequest, channel: Channel, atMs: number) => Promise<PolicyVerdict>;
  /** Where the stored templates are read; by default the process's cached catalog of `db`. */
  templates?: TemplateCatalog;
  /** The signed links the messages carry: unsubscribe, click redirects, open pixel. */
  links: LinkSettings;
}

/** A provider call stopped because the journey ended, before any of the message was handed over. */
export class SendCancelled extends Error {
  override readonly name = 'SendCancelled';
  constructor() {
    super('the journey ended before the message was handed to the provider');
  }
}

/** Why a send the journey cancelled (it ended: an order, an unsubscribe, an operator) was never made. */
export const CANCELLED_REASON = 'cancelled before the provider was called: the journey ended';

/**
 * A send's first attempt, made as a local activity inside the journey's workflow task
 * (workflows/engine/send-step.ts). The journey sees no signal while it runs, so the attempt gives
 * itself the time an activity takes to hear of a cancellation (its heartbeat, every second): one
 * not handed to the provider by then stops, releases its reservation and is retried as an activity.
 */
export interface FirstAttempt {
  handOverWithinMs: number;
}

function outcomeOf(record: DeliveryRecord): SendOutcome {
  return record.state === 'sent' && record.messageId
    ? { status: 'sent', messageId: record.messageId, firstDelivery: false }
    : { status: 'not_sent', reason: `${record.state}: ${record.reason ?? 'no reason recorded'}` };
}

/**
 * The idempotent send every channel shares: a key already settled returns what was recorded;
 * consent is read fresh; the cap and the reservation are taken atomically; the provider is called
 * once; the result is confirmed. Expected outcomes are returned, transient failures thrown (Temporal
 * retries), permanent ones thrown as non-retryable `PermanentDeliveryError`.
 */
export async function deliver<Content>(
  deps: DeliveryDependencies,
  sender: ChannelSender<Content>,
  request: DeliveryRequest,
  firstAttempt?: FirstAttempt,
): Promise<SendOutcome> {
  const { db } = deps;
  const key: DeliveryKey = {
    idempotencyKey: request.idempotencyKey,
    campaign: request.campaign,
    customerId: request.customerId,
    step: request.step,
    channel: sender.channel,
  };
  const log = deps.logger.child({
    idempotencyKey: request.idempotencyKey,
    channel: sender.channel,
    attempt: Context.current().info.attempt,
  });

  // A first heartbeat at once: its answer carries a cancellation the journey asked for (it ended), so
  // that the check before the provider call below can see it.
  heartbeat();
  const stop = stopSignal(firstAttempt);
  const earlier = await findDelivery(db, key.idempotencyKey);
  if (earlier && earlier.state !== 'sending' && earlier.state !== 'retrying') return outcomeOf(earlier);

  const profile = await findProfile(db, request.customerId);
  const address = profile && sender.addressOf(profile);
  if (!profile || !address) return skip(db, key, `no ${sender.channel} address on the profile`);
  if (!sender.consentOf(profile)) return skip(db, key, `no ${sender.channel} consent`);

  // The journey's clock at the first attempt; a retry's own scheduled time after that.
  const attemptAtMs = Math.max(request.atMs, Context.current().info.currentAttemptScheduledTimestampMs);
  const policy = await deps.contactPolicy(request, sender.channel, attemptAtMs);
  if (policy.kind === 'paused') return { status: 'deferred', reason: 'the campaign is paused' };
  if (policy.kind === 'cancelled') return { status: 'deferred', reason: 'the campaign was cancelled' };
  if (policy.kind === 'quiet_hours') return { status: 'deferred', reason: `quiet hours until ${policy.until}` };

  const messageId = sender.messageIdFor(key.idempotencyKey);
  // A retry renders the version its first reservation recorded: an edit saved in between never
  // changes a message half-sent (and an SMS looked up at the provider is the same text).
  const reserved = earlier?.template?.id === request.template.id ? earlier.template.version : undefined;
  const template = await (deps.templates ?? templateCatalogOf(db)).resolve(request.template.id, reserved);
  const links = linkTracker(db, deps.links, {
    messageId,
    customerId: request.customerId,
    campaign: request.campaign,
    step: request.step,
    journeyId: journeyIdOf(key.idempotencyKey),
    channel: sender.channel,
  });
  const content = await sender.render(request, profile, template.content, links);
  const reservation = await reserveDelivery(db, key, messageId, {
    address,
    leaseMs: deps.reservationLeaseMs,
    contactAtMs: request.atMs,
    cap: await deps.frequencyCap(),
    template: { id: template.templateId, version: template.version },
  });
  if (reservation.kind === 'in_progress') {
    throw ApplicationFailure.retryable(
      'Another execution is sending this message; will check again',
      DELIVERY_IN_PROGRESS,
    );
  }
  if (reservation.kind === 'settled') {
    if (reservation.settledNow) countSettled(key, reservation.record);
    return outcomeOf(reservation.record);
  }

  // The journey ended (an order, an unsubscribe, an operator's cancel) while this attempt got ready.
  if (stop.aborted) return stopBeforeTheProvider(db, key, 'the journey ended before the provider was called');

  // Heartbeats while the provider works, so that a worker that dies mid-send is noticed in seconds.
  const heartbeats = setInterval(heartbeat, 1_000);
  const reservedAtMs = Date.now();
  let providerId: string;
  try {
    heartbeat();
    providerId = await inProviderSpan(sender, messageId, () => sender.send(address, content, messageId, request, stop));
  } catch (error) {
    if (error instanceof SendCancelled) return stopBeforeTheProvider(db, key, error.message);
    const failure = sender.classify(error);
    const resolved = failure.kind === 'ambiguous' ? await askProvider(sender, address, content, reservedAtMs) : null;
    if (resolved?.found) {
      providerId = resolved.found;
      log.warn(
        { reason: failure.reason },
        `${sender.channel} send looked ambiguous; the provider has it, recorded as sent`,
      );
    } else {
      return await settleFailure(
        deps,
        key,
        resolved?.absent
          ? { kind: 'not_accepted', reason: `${failure.reason}; the provider has no such message` }
          : failure,
        resolved?.lookupError,
      );
    }
  } finally {
    clearInterval(heartbeats);
  }
  const acceptedAtMs = Date.now();
  // Outside the provider's try: if this write fails, the key stays `sending` and its lease turns it
  // into `unknown` — never into a resend.
  await confirmSent(db, key.idempotencyKey, providerId);
  countResult(key, 'sent');
  observeAcceptedSend({ ...key, decidedAtMs: request.atMs, entryEventAtMs: request.entryEventAtMs, acceptedAtMs });
  log.info({ to: sender.mask(address), step: request.step, campaign: request.campaign }, `${sender.channel} sent`);
  return { status: 'sent', messageId, firstDelivery: true, acceptedAtMs };
}

/** What stops an attempt before the provider takes the message: the journey's cancel, or a first attempt's time. */
function stopSignal(firstAttempt: FirstAttempt | undefined): AbortSignal {
  const cancelled = Context.current().cancellationSignal;
  return firstAttempt ? AbortSignal.any([cancelled, AbortSignal.timeout(firstAttempt.handOverWithinMs)]) : cancelled;
}

/**
 * An attempt stopped before the provider took the message. Stopped because the journey ended, the
 * step is skipped; stopped for any other reason (a first attempt out of time, the worker shutting
 * down, an attempt timed out), the key is released and the send retried.
 */
async function stopBeforeTheProvider(db: Db, key: DeliveryKey, why: string): Promise<never> {
  const { cancellationSignal } = Context.current();
  if (cancellationSignal.aborted && journeyEnded(cancellationSignal.reason)) {
    await releaseReservation(db, key.idempotencyKey, CANCELLED_REASON);
    await skip(db, key, CANCELLED_REASON);
    throw new CancelledFailure(why);
  }
  const stoppedBy = cancellationSignal.aborted ? (cancellationSignal.reason as Error | undefined)?.message : undefined;
  const reason = stoppedBy
    ? `the attempt was stopped (${stoppedBy}) before the provider took the message; retried`
    : 'the first attempt did not reach the provider in time; retried as an activity';
  await releaseReservation(db, key.idempotencyKey, reason);
  throw ApplicationFailure.retryable(reason, ATTEMPT_STOPPED);
}

/** Temporal cancels an attempt for the workflow's request (`CANCELLED`), or for a timeout, a shutdown, a reset. */
function journeyEnded(reason: unknown): boolean {
  return reason instanceof CancelledFailure && reason.message === 'CANCELLED';
}

/** Local activities have no heartbeat: their workflow task is the attempt's lease. */
function heartbeat(): void {
  if (!Context.current().info.isLocal) Context.current().heartbeat();
}

/** Records a skip, and counts it when this call settled the key (an earlier record stands uncounted). */
async function skip(db: Db, key: DeliveryKey, reason: string): Promise<SendOutcome> {
  const record = await recordSkipped(db, key, reason);
  if (record.recordedNow) countSettled(key, record);
  return outcomeOf(record);
}

function countResult(key: DeliveryKey, result: MessageResult, skipReason?: string): void {
  countMessage({ campaign: key.campaign, step: key.step, channel: key.channel, result, skipReason });
}

/** Counts a key this attempt settled, by the state the ledger now holds. */
function countSettled(key: DeliveryKey, record: DeliveryRecord): void {
  if (record.state === 'skipped' || record.state === 'unknown' || record.state === 'failed' || record.state === 'sent')
    countResult(key, record.state, record.reason ?? undefined);
}

/** How long before our request the provider's clock may say it was sent, for the look-up. */
const LOOKUP_CLOCK_MARGIN_MS = 5 * 60_000;

interface ProviderAnswer {
  found?: string;
  absent?: boolean;
  lookupError?: string;
}

async function askProvider<Content>(
  sender: ChannelSender<Content>,
  address: string,
  content: Content,
  reservedAtMs: number,
): Promise<ProviderAnswer | null> {
  if (!sender.findSent) return null;
  try {
    const found = await sender.findSent(address, content, reservedAtMs - LOOKUP_CLOCK_MARGIN_MS);
    return found ? { found } : { absent: true };
  } catch (error) {
    return { lookupError: maskPiiInText(error instanceof Error ? error.message : String(error)) };
  }
}

/**
 * Records a failed provider call and tells Temporal what to do. Every message that leaves here is
 * already masked: nothing raw from the provider reaches the ledger or Temporal's failure.
 */
async function settleFailure(
  deps: DeliveryDependencies,
  key: DeliveryKey,
  failure: ProviderFailure,
  lookupError?: string,
): Promise<SendOutcome> {
  const { channel, idempotencyKey } = key;
  const log = deps.logger.child({ idempotencyKey, channel, attempt: Context.current().info.attempt });
  switch (failure.kind) {
    case 'permanent':
      await settleDelivery(deps.db, idempotencyKey, 'failed', failure.reason);
      countResult(key, 'failed');
      log.warn({ reason: failure.reason }, `${channel} rejected permanently`);
      throw ApplicationFailure.nonRetryable(failure.reason, PERMANENT_DELIVERY_ERROR);
    case 'misconfigured':
      await releaseReservation(
        deps.db,
        idempotencyKey,
        `held: our ${channel} provider configuration is refused: ${failure.reason}`,
      );
      deliveryMisconfigured.inc({ channel, reason: failure.code ?? 'other' });
      log.error(
        { reason: failure.reason },
        `${channel} provider refuses our credentials or sender: every ${channel} send is held and retried ` +
          `until the configuration is fixed`,
      );
      throw ApplicationFailure.retryable(
        `${channel} provider configuration refused: ${failure.reason}`,
        'DeliveryMisconfigured',
      );
    case 'not_accepted':
      await releaseReservation(deps.db, idempotencyKey, `will retry: ${failure.reason}`);
      log.warn({ reason: failure.reason }, `${channel} provider did not take the message; the send will be retried`);
      throw ApplicationFailure.retryable(failure.reason, 'ProviderNotAccepted');
    case 'ambiguous': {
      const reason =
        `ambiguous provider failure: ${failure.reason}` +
        `${lookupError ? `; the provider could not be asked: ${lookupError}` : ''}`;
      await settleDelivery(deps.db, idempotencyKey, 'unknown', reason);
      countResult(key, 'unknown');
      log.error({ reason }, `${channel} failed mid-transaction; not resending (at-most-once)`);
      return { status: 'not_sent', reason: 'unknown: ambiguous provider failure' };
    }
  }
}
