import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { DeliveryRequest, JourneyActivities, SendOutcome, SendPlan } from '../../activities';
import { ATTEMPT_STOPPED } from '../../contract/errors';
import type { FirstAttempt } from '../../activities/delivery';
import { quietHoursEnd, describeLocal } from '../../activities/quiet-hours';
import type { CustomerEvent } from '../../contract/events';
import {
  journeyStateQuery,
  journeyWorkflowId,
  type CampaignType,
  type JourneyResult,
  type JourneyState,
} from '../../contract/journeys';
import { resolveSettings, type ResolvedSettings } from '../../contract/settings/overrides';
import type { LoadedSettings } from '../../contract/settings/types';
import { JourneyClient } from '../../platform/temporal/journeys';
import { UNTRACKED_PRESENCE } from '../../platform/temporal/journey-presence';
import { assign, type Assignment } from '../../platform/experiments/assignment';
import { HELD_OUT_REASON } from '../../activities/journeys';
import { withoutHoldout } from '../../tools/without-holdout';
import { startTimeSkippingServer } from './time-skipping';
import { bundleWorkflowsInChild } from '../../workers/bundle-workflows';

/**
 * Journeys on Temporal's time-skipping test server with in-memory activities: no PostgreSQL, no
 * Mailpit, no Kafka, no dev server. The stubs implement `JourneyActivities` (activities/index.ts)
 * name for name and model what the real ones keep in PostgreSQL — the delivery ledger keyed by
 * idempotency key, admission and the journey log, the campaign pause, profiles (address and consent
 * per channel), quiet hours from the real settings — so that the engine's edge cases can be tested
 * in seconds. What the stubs cannot prove (SQL, providers, real faults) stays with the real-stack
 * tests in test/workflows/ and test/integration/.
 */

export type Channel = 'email' | 'sms';
type DeliveryKey = Parameters<JourneyActivities['abandonSend']>[0];
type Admission = Awaited<ReturnType<JourneyActivities['enterJourney']>>;
type Refusal = Extract<Admission, { admitted: false }>['reason'];
type EnterInput = Parameters<JourneyActivities['enterJourney']>[0];
type EndInput = Parameters<JourneyActivities['endJourney']>[0];
type PlanInput = Parameters<JourneyActivities['planSend']>[0];

/** activities/delivery.ts's reasons, copied: importing that module would load platform/db. */
export const CANCELLED_REASON = 'cancelled before the provider was called: the journey ended';
export const CAPPED_REASON = 'frequency cap reached';
export const AMBIGUOUS_REASON =
  'ambiguous: an earlier attempt began sending and never confirmed; not resent (at-most-once policy)';

export interface StubProfile {
  email?: string;
  phone?: string;
  emailOptIn?: boolean;
  smsOptIn?: boolean;
  /** IANA zone for quiet hours; else the contact settings' defaultTimezone. */
  timezone?: string;
}

export type LedgerState = 'sending' | 'retrying' | 'sent' | 'skipped' | 'failed' | 'unknown';

export interface LedgerRow {
  idempotencyKey: string;
  campaign: string;
  customerId: string;
  step: string;
  channel: Channel;
  state: LedgerState;
  reason: string | null;
  messageId: string | null;
  /** The journey's clock at the send (the request's atMs), as the real ledger's contact_at. */
  contactAtMs: number | null;
  attempts: number;
  /** Wall clock of the reservation, for the lease. */
  reservedAtWallMs: number;
}

/** One message handed to the (pretend) provider. Two entries with one key would be a double send. */
export interface ProviderMessage {
  idempotencyKey: string;
  messageId: string;
  campaign: string;
  customerId: string;
  step: string;
  channel: Channel;
  to: string;
  atMs: number;
  template: DeliveryRequest['template'];
}

export interface JourneyLogRow {
  campaign: string;
  customerId: string;
  journeyId: string;
  entryEventAtMs: number;
  enteredAtMs: number;
  endedAtMs: number | null;
  outcome: string | null;
  messagesSent: number | null;
  lastMessageAtMs: number | null;
  assignment: Assignment;
  /** The workflow run that admitted it. */
  runId: string | null;
}

/**
 * How the next send of a customer on a channel behaves (once; then sends behave normally):
 * - `hang`: the send gets ready and waits before handing the message to the provider, heartbeating,
 *   until Temporal cancels it (the journey ended): the key is settled `skipped` and CancelledFailure thrown;
 * - `hang-at-provider`: the message is handed over, and the provider takes its time, until the send
 *   is cancelled; the send then runs to its end (sent), as a real one past the point of no return;
 * - `crash-after-send`: the message is handed over and the ledger confirms it, then the attempt never
 *   reports (a worker that dies): it waits until it is cancelled (a worker shutdown) and fails;
 * - `refuse`: the provider refuses the recipient for good: `failed`, PermanentDeliveryError.
 */
export type SendBehaviour =
  | { kind: 'hang' }
  | { kind: 'hang-at-provider' }
  | { kind: 'crash-after-send' }
  | { kind: 'refuse'; reason: string }
  /** The provider reports on the message (a status callback) before the send activity has returned. */
  | { kind: 'report-before-returning'; report: (message: ProviderMessage) => Promise<void> };

export interface ActivityCall {
  name: keyof JourneyActivities;
  customerId: string;
  /** Activity attempt (1 for local activities' first attempt). */
  attempt: number;
  detail?: string;
}

/** The in-memory stand-in for PostgreSQL, the providers and Temporal visibility, shared by every stub activity. */
export class StubWorld {
  /** Aborted when the worker is stopped: a local activity hears of it no other way. */
  workerStopping = new AbortController();
  readonly profiles = new Map<string, StubProfile>();
  readonly ledger = new Map<string, LedgerRow>();
  readonly outbox: ProviderMessage[] = [];
  readonly journeyLog: JourneyLogRow[] = [];
  readonly refusals = new Map<string, { reason: Refusal; entryEventAtMs: number; runId: string | null }>();
  readonly paused = new Set<CampaignType>();
  /** Cancelled campaigns and the operator's reason. */
  readonly cancelled = new Map<CampaignType, string>();
  /** Journeys `isJourneyRunning` reports as running (the real one asks Temporal). */
  readonly running = new Set<string>();
  readonly calls: ActivityCall[] = [];
  /** Channels this deployment can send on (no SMS provider: ['email']). */
  channels: Channel[] = ['email', 'sms'];
  reservationLeaseMs = 90_000;
  /** The operator's overrides (the campaign_settings table), over the deployment's. */
  operatorOverrides: object = {};
  private readonly behaviours = new Map<string, SendBehaviour[]>();
  private readonly admissionGates = new Map<string, { reached: () => void; released: Promise<void> }>();

  constructor(readonly deploymentOverrides: object = {}) {}

  settings(journeyOverrides?: { campaign: CampaignType; overrides: Record<string, unknown> }): ResolvedSettings {
    return resolveSettings([
      { source: 'deployment (stub)', overrides: withoutHoldout(this.deploymentOverrides) },
      { source: 'operator (stub)', overrides: this.operatorOverrides },
      ...(journeyOverrides
        ? [{ source: 'journey (stub)', overrides: { [journeyOverrides.campaign]: journeyOverrides.overrides } }]
        : []),
    ]);
  }

  setProfile(customerId: string, profile: StubProfile): void {
    this.profiles.set(customerId, { ...profile });
  }

  pause(campaign: CampaignType): void {
    this.paused.add(campaign);
  }

  resume(campaign: CampaignType): void {
    this.paused.delete(campaign);
  }

  cancelCampaign(campaign: CampaignType, reason: string): void {
    this.cancelled.set(campaign, reason);
  }

  reopenCampaign(campaign: CampaignType): void {
    this.cancelled.delete(campaign);
  }

  setJourneyRunning(campaign: CampaignType, customerId: string, running: boolean): void {
    if (running) this.running.add(journeyWorkflowId(campaign, customerId));
    else this.running.delete(journeyWorkflowId(campaign, customerId));
  }

  /** The next send of `customerId` on `channel` behaves as `behaviour` (queued: one per send). */
  nextSend(customerId: string, channel: Channel, behaviour: SendBehaviour): void {
    const key = `${customerId}|${channel}`;
    this.behaviours.set(key, [...(this.behaviours.get(key) ?? []), behaviour]);
  }

  takeBehaviour(customerId: string, channel: Channel): SendBehaviour | null {
    return this.behaviours.get(`${customerId}|${channel}`)?.shift() ?? null;
  }

  /**
   * Holds the customer's next admission (enterJourney) until `release` is called: `reached` settles
   * once the journey is being admitted, so that a test can deliver an event during admission.
   */
  holdAdmission(customerId: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.admissionGates.set(customerId, { reached, released });
    return { reached: reachedPromise, release };
  }

  takeAdmissionGate(customerId: string): { reached: () => void; released: Promise<void> } | null {
    const gate = this.admissionGates.get(customerId) ?? null;
    this.admissionGates.delete(customerId);
    return gate;
  }

  messagesTo(customerId: string): ProviderMessage[] {
    return this.outbox.filter((message) => message.customerId === customerId);
  }

  /** `step:channel` of every message handed to the provider for the customer, in order. */
  sentSteps(customerId: string, campaign?: CampaignType): string[] {
    return this.messagesTo(customerId)
      .filter((message) => !campaign || message.campaign === campaign)
      .map((message) => `${message.step}:${message.channel}`);
  }

  ledgerOf(customerId: string): LedgerRow[] {
    return [...this.ledger.values()].filter((row) => row.customerId === customerId);
  }

  journeysOf(customerId: string, campaign?: CampaignType): JourneyLogRow[] {
    return this.journeyLog.filter((row) => row.customerId === customerId && (!campaign || row.campaign === campaign));
  }

  callsOf(customerId: string, name?: keyof JourneyActivities): ActivityCall[] {
    return this.calls.filter((call) => call.customerId === customerId && (!name || call.name === name));
  }

  /** Idempotency keys handed to the provider more than once: must always be empty. */
  doubleSends(): string[] {
    const seen = new Set<string>();
    const doubled = new Set<string>();
    for (const message of this.outbox) {
      if (seen.has(message.idempotencyKey)) doubled.add(message.idempotencyKey);
      seen.add(message.idempotencyKey);
    }
    return [...doubled];
  }
}

/** platform/db/delivery-ledger.ts's cap rule, on the in-memory ledger: windows looked at both ways. */
function exceedsCap(atMs: number, others: number[], cap: { limit: number; windowMs: number }): boolean {
  if (cap.limit <= 0) return false;
  const starts = [atMs, ...others.filter((at) => at <= atMs && at > atMs - cap.windowMs)];
  return starts.some((start) => 1 + others.filter((at) => at >= start && at < start + cap.windowMs).length > cap.limit);
}

function outcomeOf(row: LedgerRow): SendOutcome {
  return row.state === 'sent' && row.messageId
    ? { status: 'sent', messageId: row.messageId, firstDelivery: false }
    : { status: 'not_sent', reason: `${row.state}: ${row.reason ?? 'no reason recorded'}` };
}

/** Local activities have no heartbeat: their workflow task is the attempt's lease. */
function heartbeat(): void {
  if (!Context.current().info.isLocal) Context.current().heartbeat();
}

/**
 * Resolves when `stop` aborts (the journey ended, the worker shuts down, a first attempt's time is
 * up), heartbeating meanwhile.
 */
function untilStopped(stop: AbortSignal = Context.current().cancellationSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const heartbeats = setInterval(heartbeat, 200);
    const done = () => {
      clearInterval(heartbeats);
      resolve();
    };
    if (stop.aborted) done();
    else stop.addEventListener('abort', done, { once: true });
  });
}

/** In-memory activities with the real ones' names, signatures and semantics (activities/index.ts). */
export function createStubActivities(world: StubWorld): JourneyActivities {
  const record = (name: keyof JourneyActivities, customerId: string, detail?: string) => {
    let attempt = 1;
    try {
      attempt = Context.current().info.attempt;
    } catch {
      /* not in an activity */
    }
    world.calls.push({ name, customerId, attempt, ...(detail === undefined ? {} : { detail }) });
  };

  function recordSkipped(key: DeliveryKey, reason: string): LedgerRow {
    const existing = world.ledger.get(key.idempotencyKey);
    if (existing && existing.state !== 'retrying') return existing;
    const row: LedgerRow = existing
      ? { ...existing, state: 'skipped', reason }
      : {
          ...key,
          state: 'skipped',
          reason,
          messageId: null,
          contactAtMs: null,
          attempts: 0,
          reservedAtWallMs: Date.now(),
        };
    world.ledger.set(key.idempotencyKey, row);
    return row;
  }

  function plan(input: PlanInput): SendPlan {
    const cancelReason = world.cancelled.get(input.campaign);
    if (cancelReason !== undefined) return { kind: 'cancelled', reason: cancelReason };
    if (world.paused.has(input.campaign)) return { kind: 'paused' };
    if (!world.channels.includes(input.channel))
      return { kind: 'unreachable', reason: `${input.channel} is not configured on this deployment` };
    const profile = world.profiles.get(input.customerId);
    const address = input.channel === 'email' ? profile?.email : profile?.phone;
    if (!profile || !address) return { kind: 'unreachable', reason: `no ${input.channel} address` };
    const consent = input.channel === 'email' ? profile.emailOptIn : profile.smsOptIn;
    if (!consent) return { kind: 'unreachable', reason: `no ${input.channel} consent` };
    const { contact } = world.settings();
    const window = contact.quietHours[input.channel];
    const timeZone = profile.timezone ?? contact.defaultTimezone;
    const until = window ? quietHoursEnd(input.atMs, timeZone, window) : null;
    return until === null
      ? { kind: 'go' }
      : { kind: 'quiet_hours', untilMs: until, until: describeLocal(until, timeZone) };
  }

  async function deliver(
    channel: Channel,
    request: DeliveryRequest,
    firstAttempt?: FirstAttempt,
  ): Promise<SendOutcome> {
    const context = Context.current();
    heartbeat();
    const stop = firstAttempt
      ? AbortSignal.any([context.cancellationSignal, AbortSignal.timeout(firstAttempt.handOverWithinMs)])
      : context.cancellationSignal;
    record(channel === 'email' ? 'sendEmail' : 'sendSms', request.customerId, request.step);
    if (!world.channels.includes(channel))
      return { status: 'not_sent', reason: `skipped: ${channel.toUpperCase()} is not configured` };
    const key: DeliveryKey = {
      idempotencyKey: request.idempotencyKey,
      campaign: request.campaign,
      customerId: request.customerId,
      step: request.step,
      channel,
    };
    const earlier = world.ledger.get(key.idempotencyKey);
    if (earlier && earlier.state !== 'sending' && earlier.state !== 'retrying') return outcomeOf(earlier);

    const profile = world.profiles.get(request.customerId);
    const address = channel === 'email' ? profile?.email : profile?.phone;
    if (!profile || !address) return outcomeOf(recordSkipped(key, `no ${channel} address on the profile`));
    if (!(channel === 'email' ? profile.emailOptIn : profile.smsOptIn))
      return outcomeOf(recordSkipped(key, `no ${channel} consent`));

    const attemptAtMs = Math.max(request.atMs, context.info.currentAttemptScheduledTimestampMs);
    const policy = plan({
      campaign: request.campaign as CampaignType,
      customerId: request.customerId,
      channel,
      atMs: attemptAtMs,
    });
    if (policy.kind === 'paused') return { status: 'deferred', reason: 'the campaign is paused' };
    if (policy.kind === 'cancelled') return { status: 'deferred', reason: 'the campaign was cancelled' };
    if (policy.kind === 'quiet_hours') return { status: 'deferred', reason: `quiet hours until ${policy.until}` };

    // The reservation, with the frequency cap (platform/db/delivery-ledger.ts reserveDelivery).
    const existing = world.ledger.get(key.idempotencyKey);
    if (existing?.state === 'sending') {
      if (Date.now() - existing.reservedAtWallMs < world.reservationLeaseMs) {
        throw ApplicationFailure.retryable(
          'Another execution is sending this message; will check again',
          'DeliveryInProgress',
        );
      }
      world.ledger.set(key.idempotencyKey, {
        ...existing,
        state: 'unknown',
        reason: AMBIGUOUS_REASON,
        attempts: existing.attempts + 1,
      });
      return outcomeOf(world.ledger.get(key.idempotencyKey)!);
    }
    const { contact } = world.settings();
    const others = [...world.ledger.values()]
      .filter(
        (row) =>
          row.customerId === key.customerId && row.channel === channel && row.idempotencyKey !== key.idempotencyKey,
      )
      .filter((row) => ['sending', 'sent', 'unknown'].includes(row.state) && row.contactAtMs !== null)
      .map((row) => row.contactAtMs!);
    if (exceedsCap(request.atMs, others, { limit: contact.frequencyCap, windowMs: contact.frequencyWindowMs })) {
      const row: LedgerRow = {
        ...key,
        state: 'skipped',
        reason: CAPPED_REASON,
        messageId: null,
        contactAtMs: request.atMs,
        attempts: existing?.attempts ?? 0,
        reservedAtWallMs: Date.now(),
      };
      world.ledger.set(key.idempotencyKey, row);
      return outcomeOf(row);
    }
    const messageId = `<${encodeURIComponent(key.idempotencyKey)}@stub.example.test>`;
    const reserved: LedgerRow = {
      ...key,
      state: 'sending',
      reason: null,
      messageId,
      contactAtMs: request.atMs,
      attempts: (existing?.attempts ?? 0) + 1,
      reservedAtWallMs: Date.now(),
    };
    world.ledger.set(key.idempotencyKey, reserved);

    // activities/delivery.ts stopBeforeTheProvider
    const cancelBeforeProvider = (): never => {
      const { cancellationSignal } = context;
      const reason = cancellationSignal.reason as Error | undefined;
      if (cancellationSignal.aborted && reason instanceof CancelledFailure && reason.message === 'CANCELLED') {
        world.ledger.set(key.idempotencyKey, { ...reserved, state: 'skipped', reason: CANCELLED_REASON });
        throw new CancelledFailure('the journey ended before the provider was called');
      }
      world.ledger.set(key.idempotencyKey, { ...reserved, state: 'retrying', reason: 'stopped before the provider' });
      throw ApplicationFailure.retryable('stopped before the provider took the message', ATTEMPT_STOPPED);
    };
    if (stop.aborted) cancelBeforeProvider();

    const behaviour = world.takeBehaviour(request.customerId, channel);
    if (behaviour?.kind === 'hang') {
      await untilStopped(stop);
      cancelBeforeProvider();
    }
    if (behaviour?.kind === 'refuse') {
      world.ledger.set(key.idempotencyKey, { ...reserved, state: 'failed', reason: behaviour.reason });
      throw ApplicationFailure.nonRetryable(behaviour.reason, 'PermanentDeliveryError');
    }
    world.outbox.push({
      idempotencyKey: key.idempotencyKey,
      messageId,
      campaign: key.campaign,
      customerId: key.customerId,
      step: key.step,
      channel,
      to: address,
      atMs: request.atMs,
      template: request.template,
    });
    // Past this point the message is on its way: a cancellation no longer stops it.
    if (behaviour?.kind === 'hang-at-provider') await untilStopped();
    if (behaviour?.kind === 'report-before-returning') await behaviour.report(world.outbox.at(-1)!);
    world.ledger.set(key.idempotencyKey, { ...reserved, state: 'sent' });
    if (behaviour?.kind === 'crash-after-send') {
      await untilStopped(AbortSignal.any([context.cancellationSignal, world.workerStopping.signal]));
      throw new CancelledFailure('the attempt died before it could report its send');
    }
    return { status: 'sent', messageId, firstDelivery: true, acceptedAtMs: Date.now() };
  }

  return {
    async loadSettings<C extends CampaignType>(
      campaign: C,
      journeyOverrides?: Record<string, unknown>,
    ): Promise<LoadedSettings<C>> {
      const resolved = world.settings(journeyOverrides && { campaign, overrides: journeyOverrides });
      return Promise.resolve({
        campaign,
        settings: resolved.campaigns[campaign],
        contact: resolved.contact,
        version: 0,
      });
    },

    async planSend(input: PlanInput): Promise<SendPlan> {
      const answer = plan(input);
      record('planSend', input.customerId, `${input.channel}:${answer.kind}`);
      return Promise.resolve(answer);
    },

    /** platform/db/journeys.ts admitJourney, on the in-memory journey log. */
    async enterJourney(input: EnterInput): Promise<Admission> {
      record('enterJourney', input.customerId, input.journeyId);
      const gate = world.takeAdmissionGate(input.customerId);
      if (gate) {
        gate.reached();
        await gate.released;
      }
      const same = (row: { campaign: string; customerId: string; journeyId: string }) =>
        row.campaign === input.campaign && row.customerId === input.customerId && row.journeyId === input.journeyId;
      const existing = world.journeyLog.find(same);
      const askedBefore = (runId: string | null | undefined) => input.runId !== undefined && runId === input.runId;
      if (existing)
        return existing.endedAtMs !== null && !askedBefore(existing.runId)
          ? { admitted: false, reason: 'duplicate_entry' }
          : { admitted: true, ...existing.assignment };
      const refusalKey = `${input.campaign}|${input.customerId}|${input.journeyId}`;
      const refused = world.refusals.get(refusalKey);
      if (refused) return { admitted: false, reason: askedBefore(refused.runId) ? refused.reason : 'duplicate_entry' };
      const refuse = (reason: Exclude<Refusal, 'duplicate_entry'>): Admission => {
        world.refusals.set(refusalKey, { reason, entryEventAtMs: input.entryEventAtMs, runId: input.runId ?? null });
        return { admitted: false, reason };
      };
      if (world.cancelled.has(input.campaign as CampaignType)) return refuse('campaign_cancelled');
      if (world.paused.has(input.campaign as CampaignType)) return refuse('campaign_paused');
      const maxEntryAgeMs = input.maxEntryAgeMs ?? null;
      if (maxEntryAgeMs !== null && input.atMs - input.entryEventAtMs > maxEntryAgeMs) return refuse('stale_event');
      const previous = world.journeyLog
        .filter((row) => row.campaign === input.campaign && row.customerId === input.customerId)
        .sort((a, b) => b.enteredAtMs - a.enteredAtMs)[0];
      if (previous?.endedAtMs != null && input.entryEventAtMs < previous.endedAtMs) return refuse('stale_event');
      if (previous?.lastMessageAtMs != null && input.atMs - previous.lastMessageAtMs < input.cooldownMs)
        return refuse('cooldown');
      const assignment = input.experiment
        ? assign(input.campaign, input.customerId, input.experiment)
        : { group: 'treatment' as const, variants: {} };
      world.journeyLog.push({
        campaign: input.campaign,
        customerId: input.customerId,
        journeyId: input.journeyId,
        entryEventAtMs: input.entryEventAtMs,
        enteredAtMs: input.atMs,
        endedAtMs: null,
        outcome: null,
        messagesSent: null,
        lastMessageAtMs: null,
        assignment,
        runId: input.runId ?? null,
      });
      return { admitted: true, ...assignment };
    },

    async recordHeldOut(key: DeliveryKey): Promise<void> {
      record('recordHeldOut', key.customerId, key.step);
      recordSkipped(key, HELD_OUT_REASON);
      return Promise.resolve();
    },

    /** platform/db/journeys.ts recordJourneyEnd: a journey ends once. */
    async endJourney(input: EndInput): Promise<void> {
      record('endJourney', input.customerId, input.outcome);
      const row = world.journeyLog.find(
        (entry) =>
          entry.campaign === input.campaign &&
          entry.customerId === input.customerId &&
          entry.journeyId === input.journeyId,
      );
      if (row && row.endedAtMs === null) {
        Object.assign(row, {
          endedAtMs: input.atMs,
          outcome: input.outcome,
          messagesSent: input.messagesSent,
          lastMessageAtMs: input.lastMessageAtMs,
        });
      }
      return Promise.resolve();
    },

    async isJourneyRunning(input: { campaign: CampaignType; customerId: string }): Promise<boolean> {
      record('isJourneyRunning', input.customerId, input.campaign);
      return Promise.resolve(world.running.has(journeyWorkflowId(input.campaign, input.customerId)));
    },

    async abandonSend(key: DeliveryKey): Promise<void> {
      record('abandonSend', key.customerId, key.step);
      recordSkipped(key, CANCELLED_REASON);
      return Promise.resolve();
    },

    sendEmail: (request: DeliveryRequest) => deliver('email', request),
    sendSms: (request: DeliveryRequest) => deliver('sms', request),

    async planThenSend(input: Parameters<JourneyActivities['planThenSend']>[0]) {
      const { request } = input;
      const answer = plan({
        campaign: request.campaign as CampaignType,
        customerId: request.customerId,
        channel: input.channel,
        atMs: input.atMs,
      });
      // Recorded as the plan it makes; its send is recorded as the send's.
      record('planSend', request.customerId, `${input.channel}:${answer.kind}`);
      if (answer.kind !== 'go') return { plan: answer };
      return { plan: answer, outcome: await deliver(input.channel, request, input.firstAttempt) };
    },
  };
}

let suffix = 0;
const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;

/**
 * A time-skipping Temporal test server, a worker with the real workflows and the stub activities,
 * and the world those activities read and write. One per test file; each test uses its own customers.
 */
export class StubJourneyEnv {
  env!: TestWorkflowEnvironment;
  journeys!: JourneyClient;
  client!: Client;
  readonly world: StubWorld;
  readonly taskQueue: string;
  private worker: Worker | null = null;
  private running: Promise<void> | null = null;
  private counter = 0;

  /** `settingsOverrides` are the deployment's CAMPAIGN_SETTINGS, as people write them ("90s", "1 day"). */
  constructor(
    readonly name: string,
    settingsOverrides: object = {},
    private readonly options: { stickyCache?: boolean } = {},
  ) {
    this.taskQueue = `stub-${name}-${runId}-${(suffix += 1)}`;
    this.world = new StubWorld(settingsOverrides);
    this.world.settings(); // invalid overrides fail here, naming the setting
  }

  async start(): Promise<void> {
    this.env = await startTimeSkippingServer();
    this.client = new Client({ connection: this.env.connection, namespace: this.env.namespace ?? 'default' });
    this.journeys = new JourneyClient(this.client, this.taskQueue, UNTRACKED_PRESENCE);
    await this.startWorker();
  }

  /** (Re)starts the worker, e.g. after `stopWorker()` to simulate a deploy or a crash. The world survives. */
  async startWorker(): Promise<void> {
    this.world.workerStopping = new AbortController();
    this.worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue: this.taskQueue,
      // Bundled once per version of the code, as the production worker does (workers/bundle-cache.ts).
      workflowBundle: { code: await bundleWorkflowsInChild({ tracing: false }) },
      ...(this.options.stickyCache === false ? { maxCachedWorkflows: 0 } : {}),
      // As the production worker (workers/build-worker.ts): a send learns of its cancellation within a second.
      maxHeartbeatThrottleInterval: '1 second',
      activities: createStubActivities(this.world),
    });
    this.running = this.worker.run();
  }

  async stopWorker(): Promise<void> {
    this.world.workerStopping.abort();
    this.worker?.shutdown();
    await this.running;
    this.worker = null;
    this.running = null;
  }

  async stop(): Promise<void> {
    await this.stopWorker().catch(() => undefined);
    await this.env?.teardown();
  }

  /**
   * A customer unique to this run; reachable on both channels with consent unless `profile` says otherwise
   * (null: no profile at all).
   */
  customer(prefix: string, profile: StubProfile | null = {}): { customerId: string; email: string; phone: string } {
    this.counter += 1;
    const customerId = `${prefix}-${this.name}-${runId}-${this.counter}`;
    const email = `${customerId}@example.test`;
    const phone = `+1555${String(this.counter).padStart(7, '0')}`;
    if (profile) this.world.setProfile(customerId, { email, phone, emailOptIn: true, smsOptIn: true, ...profile });
    return { customerId, email, phone };
  }

  /** The test server's clock, which the journeys read. */
  async now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  async event<T extends CustomerEvent['type']>(
    type: T,
    customerId: string,
    properties: Extract<CustomerEvent, { type: T }>['properties'],
    occurredAtMs?: number,
  ): Promise<Extract<CustomerEvent, { type: T }>> {
    this.counter += 1;
    const occurredAt = new Date(occurredAtMs ?? (await this.now())).toISOString();
    return { eventId: `${type}-${customerId}-${this.counter}`, type, customerId, occurredAt, properties } as Extract<
      CustomerEvent,
      { type: T }
    >;
  }

  handle(campaign: CampaignType, customerId: string) {
    return this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId));
  }

  async state(campaign: CampaignType, customerId: string): Promise<JourneyState> {
    return this.handle(campaign, customerId).query(journeyStateQuery);
  }

  /**
   * Skips journey time to `atMs` (no-op if already past). To reach just before an activity that
   * will hang, skip to a little before it and let real time run: a running activity holds the
   * test server's clock, so skipping across one would wait for it.
   */
  async skipTo(atMs: number): Promise<void> {
    const remaining = atMs - (await this.now());
    if (remaining > 0) await this.env.sleep(remaining);
  }

  /** The journey's result, after first skipping `skipMs` of journey time. */
  async result(campaign: CampaignType, customerId: string, skipMs = 0): Promise<JourneyResult> {
    if (skipMs > 0) await this.env.sleep(skipMs);
    return (await this.handle(campaign, customerId).result()) as JourneyResult;
  }

  /**
   * How the journey ended after `skipMs` more journey time, or that it is still running (and at which stage),
   * without waiting for its end.
   */
  async outcomeAfter(campaign: CampaignType, customerId: string, skipMs: number): Promise<string> {
    if (skipMs > 0) await this.env.sleep(skipMs);
    if ((await this.handle(campaign, customerId).describe()).status.name === 'RUNNING')
      return `still running (${(await this.state(campaign, customerId)).stage})`;
    return (await this.result(campaign, customerId)).outcome;
  }

  /** Polls (wall clock) until `accept` holds: for what activities do while journey time stands still. */
  async until<T>(
    what: string,
    read: () => T | Promise<T>,
    accept: (value: T) => boolean,
    timeoutMs = 10_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T = await read();
    while (!accept(last)) {
      if (Date.now() > deadline)
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      last = await read();
    }
    return last;
  }
}
