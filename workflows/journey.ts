import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  continueAsNew,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JourneyActivities, SendOutcome, SendPlan } from '../activities';
import type { CustomerEvent } from '../contract/events';
import { formatDuration } from '../contract/duration';
import {
  campaignResumedSignal,
  cancelJourneySignal,
  customerEventSignal,
  deliveryKey,
  journeyStateQuery,
  searchAttributeKeys,
  type CampaignType,
  type CarriedJourney,
  type JourneyInput,
  type JourneyResult,
  type JourneyState,
  type Outcome,
  type TimelineEntry,
} from '../contract/journeys';
import type { CampaignSettingsMap, JourneyMechanics, LoadedSettings } from '../contract/settings/types';
import type { TemplateRequest } from '../contract/templates';

/**
 * The machinery every campaign journey shares: event dedup, exits, durable waits, the send step
 * with its contact policy, outcome recording and continue-as-new. Campaign workflows only say what
 * their events mean and which steps they take.
 */

const MAX_REMEMBERED_EVENT_IDS = 500;
const MAX_TIMELINE_ENTRIES = 60;
/** The shortest hold of a send (pause, quiet hours): a policy that keeps answering "not yet" can never spin. */
const MIN_HOLD_MS = 1_000;
/** Outcomes of a journey that was never admitted, so it has no row in the journey log. */
const NOT_ENTERED: Outcome[] = ['duplicate_entry', 'stale_event', 'cooldown', 'campaign_paused'];

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

const remoteBookkeeping = proxyActivities<JourneyActivities>({ startToCloseTimeout: '20 seconds', retry });
const localBookkeeping = proxyLocalActivities<JourneyActivities>({ startToCloseTimeout: '20 seconds', retry });

/**
 * Settings, admission, the contact policy and the journey log are short PostgreSQL calls: as local
 * activities they run inside the workflow task, sparing Temporal a task round trip each (about
 * half of a journey's server work; see docs/PERFORMANCE.md). Sends stay ordinary activities.
 */
export function bookkeeping(): typeof remoteBookkeeping {
  return patched('local-bookkeeping') ? localBookkeeping : remoteBookkeeping;
}
const channels = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '45 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { ...retry, nonRetryableErrorTypes: ['PermanentDeliveryError'] },
});

export interface SendRequest {
  step: string;
  channel: 'email' | 'sms';
  template: TemplateRequest;
  /** Shown on the activity in the Web UI, e.g. "cart reminder 1 by email". */
  summary: string;
}

/**
 * `unreachable`: the customer cannot get this channel (no address, no consent, a permanent
 * refusal), so another channel may be tried; `skipped`: not sent for another reason (capped, or an
 * earlier attempt's outcome is unknown), and no other channel should be tried for this step.
 */
export type SendResult = 'sent' | 'skipped' | 'unreachable' | 'exited';

export class Journey<C extends CampaignType, CampaignState> {
  readonly state: JourneyState;
  settings!: CampaignSettingsMap[C];
  stepIndex: number;
  lastMessageAtMs: number | null;
  /** Steps that could not be sent because the customer cannot be reached on their channel. */
  unreachableSteps: number;
  exitRequest: { outcome: Outcome; why: string; atMs?: number } | null = null;
  private readonly seenEventIds: string[];
  /** Events that arrived after the journey decided to end, in arrival order. */
  private readonly lateEvents: CustomerEvent[] = [];
  private startsJourney: (event: CustomerEvent) => boolean = () => false;
  private resumedSignals = 0;

  constructor(
    readonly campaign: C,
    private readonly input: JourneyInput<CampaignState>,
    public campaignState: CampaignState,
  ) {
    const carried = input.carried;
    this.state = carried?.state ?? {
      campaign, customerId: input.customerId, journeyId: null, stage: 'entered', outcome: null, lastMessage: null, messagesSent: 0, timeline: [],
    };
    this.seenEventIds = carried?.seenEventIds ?? [];
    this.stepIndex = carried?.stepIndex ?? 0;
    this.lastMessageAtMs = carried?.lastMessageAtMs ?? null;
    this.unreachableSteps = carried?.unreachableSteps ?? 0;
    if (carried) this.campaignState = carried.campaignState;
  }

  get customerId(): string {
    return this.input.customerId;
  }

  /**
   * Registers the signal and query handlers. `onEvent` sees each event once, in arrival order.
   * `startsJourney` says which events would start a new journey of this campaign: one that arrives
   * after this journey decided to end is handed to the next journey instead of being dropped.
   */
  listen(onEvent: (event: CustomerEvent) => void, startsJourney: (event: CustomerEvent) => boolean): void {
    this.startsJourney = startsJourney;
    const deliver = (event: CustomerEvent) => {
      if (this.exitRequest) {
        this.holdForNextJourney(event);
        return;
      }
      if (!this.firstSighting(event)) return;
      if (event.type === 'customer.unsubscribed' && event.properties.channel === 'all') {
        this.requestExit('unsubscribed', 'the customer unsubscribed from all messages', event);
        return;
      }
      onEvent(event);
    };
    setHandler(journeyStateQuery, () => this.state);
    setHandler(customerEventSignal, deliver);
    setHandler(cancelJourneySignal, ({ reason }) => this.requestExit('cancelled', `cancelled by an operator: ${reason}`));
    setHandler(campaignResumedSignal, () => { this.resumedSignals += 1; });
    if (!this.input.carried) for (const event of this.input.entries ?? (this.input.entry ? [this.input.entry] : [])) deliver(event);
  }

  private holdForNextJourney(event: CustomerEvent): void {
    const known = (held: CustomerEvent) => held.eventId === event.eventId;
    if (this.seenEventIds.includes(event.eventId) || this.lateEvents.some(known) || this.lateEvents.length >= MAX_REMEMBERED_EVENT_IDS) return;
    this.lateEvents.push(event);
  }

  private firstSighting(event: CustomerEvent): boolean {
    if (this.seenEventIds.includes(event.eventId)) {
      log.info('Duplicate event ignored', { eventId: event.eventId, type: event.type });
      return false;
    }
    this.seenEventIds.push(event.eventId);
    if (this.seenEventIds.length > MAX_REMEMBERED_EVENT_IDS) this.seenEventIds.shift();
    return true;
  }

  /**
   * When an event happened, by the journey's clock: never later than now. An event dated ahead (a
   * storefront clock a few minutes fast) would otherwise make every later event look stale until
   * its date passed, including the emptied cart that ends the journey.
   */
  eventTime(event: CustomerEvent): number {
    const occurredAt = Date.parse(event.occurredAt);
    return patched('event-time-capped') ? Math.min(occurredAt, Date.now()) : occurredAt;
  }

  /**
   * Ends the journey at its next decision. `cause` is the customer's event that ends it: the journey's
   * end is then dated when the customer acted, so a new entry that happened after it (a new cart
   * after the order) is never taken for a stale one, even if it reached the journey before it closed.
   */
  requestExit(outcome: Outcome, why: string, cause?: CustomerEvent): void {
    this.exitRequest ??= { outcome, why, atMs: cause ? Math.min(Date.parse(cause.occurredAt), Date.now()) : Date.now() };
  }

  record(kind: TimelineEntry['kind'], text: string): void {
    this.state.timeline.push({ at: new Date().toISOString(), kind, text });
    if (this.state.timeline.length > MAX_TIMELINE_ENTRIES) this.state.timeline.shift();
  }

  moveTo(stage: string, details: string): void {
    if (this.state.stage !== stage) {
      this.state.stage = stage;
      upsertSearchAttributes([{ key: searchAttributeKeys.journeyStage, value: stage }]);
    }
    setCurrentDetails(details);
  }

  /** Waits for the entry event (delivered with signalWithStart), then loads the campaign's settings. */
  async begin(hasEntered: () => boolean): Promise<LoadedSettings<C>> {
    const loaded = await bookkeeping().loadSettings(this.campaign, this.input.overrides);
    this.settings = loaded.settings;
    if (!this.input.carried) await condition(() => hasEntered() || this.exitRequest !== null);
    return loaded;
  }

  /**
   * Admits the journey, or ends it before its first step (false): its entry was replayed or is
   * late, or an exit arrived with it. Admission is asked first, so a replayed entry followed by its
   * replayed order ends as `duplicate_entry` instead of writing a second end on the journey log.
   */
  async enter(entryEventAt: string | null, cooldownMs: number): Promise<boolean> {
    if (!patched('admission-before-early-exit')) return !this.exitRequest && (await this.admit(entryEventAt!, cooldownMs, false));
    if (this.input.carried) return !this.exitRequest;
    if (entryEventAt === null || this.state.journeyId === null) return false;
    return (await this.admit(entryEventAt, cooldownMs, true)) && !this.exitRequest;
  }

  /** Applies the re-entry rules; false when this journey must not run (replay, late event, cooldown). */
  private async admit(entryEventAt: string, cooldownMs: number, refusalWins: boolean): Promise<boolean> {
    if (this.input.carried) return true;
    const admission = await bookkeeping().enterJourney({
      campaign: this.campaign, customerId: this.customerId, journeyId: this.state.journeyId!,
      entryEventAtMs: Date.parse(entryEventAt), atMs: Date.now(), cooldownMs, maxEntryAgeMs: this.settings.maxEntryAgeMs ?? null,
    });
    if (admission.admitted) return true;
    const why = {
      duplicate_entry: 'this journey already ran (its entry event was replayed)',
      stale_event: 'the entry event is too old to act on, or older than the end of the previous journey',
      cooldown: `a previous journey messaged this customer less than ${formatDuration(cooldownMs)} ago`,
      campaign_paused: 'the campaign is paused, so no new journey starts',
    }[admission.reason];
    // A refused journey never ran: an exit event that arrived during admission does not end it.
    if (refusalWins) this.exitRequest = { outcome: admission.reason, why };
    else this.requestExit(admission.reason, why);
    return false;
  }

  /**
   * Waits until `dueAtMs` (journey clock) unless an exit or `wakeWhen` comes first. Returns true when
   * the time came, false when woken. Continues as new first if the history has grown long.
   */
  async waitUntil(dueAtMs: () => number, summary: string, wakeWhen: () => boolean = () => false): Promise<boolean> {
    await this.continueAsNewIfDue();
    const remaining = Math.max(0, dueAtMs() - Date.now());
    if (remaining > 0) this.record('wait', summary);
    const woken = await condition(() => this.exitRequest !== null || wakeWhen(), remaining, { summary });
    return !woken;
  }

  /** Sends one step under the contact policy; holds while the campaign is paused or during quiet hours. */
  async send(request: SendRequest): Promise<SendResult> {
    for (;;) {
      const allowed = await this.holdUntilAllowed(request);
      if (allowed !== 'go') return allowed;
      this.moveTo(`sending_${request.step}`, `Sending ${request.summary}`);
      const outcome = await this.dispatch(request);
      if (outcome === 'exited' || outcome === 'unreachable') return outcome;
      if (outcome.status === 'deferred') {
        // The policy changed between the plan and an attempt (a pause, quiet hours after a long outage): plan again.
        this.record('wait', `${request.summary}: deferred (${outcome.reason})`);
        continue;
      }
      if (outcome.status === 'sent') {
        // A send already at the provider when the exit arrived still went out, but it did not earn the exit.
        const credited = this.exitRequest === null;
        this.state.messagesSent += 1;
        if (credited) this.state.lastMessage = `${request.step} (${request.channel})`;
        this.lastMessageAtMs = Date.now();
        const note = outcome.firstDelivery ? '' : ' (already delivered by an earlier attempt)';
        this.record('message', `${request.summary}: sent${note}${credited ? '' : ', in flight when the journey ended (not credited)'}`);
        return 'sent';
      }
      this.record('skip', `${request.summary}: not sent (${outcome.reason})`);
      return 'skipped';
    }
  }

  /** Plans a send until the policy allows it: 'go', or why not (the journey exited, the customer is unreachable). */
  private async holdUntilAllowed(request: SendRequest): Promise<'go' | 'exited' | 'unreachable'> {
    for (;;) {
      if (this.exitRequest) return 'exited';
      const plan: SendPlan = await bookkeeping().planSend({ campaign: this.campaign, customerId: this.customerId, channel: request.channel, atMs: Date.now() });
      if (plan.kind === 'go') return this.exitRequest ? 'exited' : 'go';
      // An order or cancel that arrived while the plan was being made ends the step here.
      if (this.exitRequest && patched('exit-before-continue-as-new')) return 'exited';
      if (plan.kind === 'unreachable') {
        this.unreachableSteps += 1;
        this.record('skip', `${request.step} by ${request.channel} skipped: ${plan.reason}`);
        return 'unreachable';
      }
      if (plan.kind === 'paused') {
        await this.continueAsNewIfDue();
        const resumedBefore = this.resumedSignals;
        this.moveTo('paused', `Campaign paused: ${request.step} is held until it is resumed`);
        this.record('wait', `campaign paused; holding ${request.step}`);
        await condition(() => this.exitRequest !== null || this.resumedSignals !== resumedBefore, Math.max(MIN_HOLD_MS, this.settings.pauseRecheckMs), {
          summary: `campaign paused: holding ${request.step}`,
        });
        continue;
      }
      if (patched('quiet-hours-guard')) await this.continueAsNewIfDue();
      this.moveTo('quiet_hours', `Quiet hours: ${request.step} waits until ${plan.until}`);
      this.record('wait', `quiet hours: ${request.step} by ${request.channel} waits until ${plan.until}`);
      await condition(() => this.exitRequest !== null, Math.max(MIN_HOLD_MS, plan.untilMs - Date.now()), { summary: `quiet hours: ${request.step} waits until ${plan.until}` });
    }
  }

  /**
   * Calls the channel's send activity. An exit that arrives meanwhile cancels it: a send waiting for
   * its next attempt never reaches the provider, and one in flight reports what became of it.
   */
  private async dispatch(request: SendRequest): Promise<SendOutcome | 'exited' | 'unreachable'> {
    const activity = request.channel === 'email' ? channels.sendEmail : channels.sendSms;
    const key = deliveryKey(this.campaign, this.customerId, this.state.journeyId, request.step, request.channel);
    const deliveryRequest = { idempotencyKey: key, campaign: this.campaign, customerId: this.customerId, step: request.step, atMs: Date.now(), template: request.template };
    const cancellable = patched('cancel-send-on-exit');
    const scope = new CancellationScope();
    let settled = false;
    if (cancellable) {
      void condition(() => settled || this.exitRequest !== null).then(() => { if (!settled) scope.cancel(); });
    }
    try {
      return await scope.run(() => activity.executeWithOptions({
        startToCloseTimeout: '45 seconds',
        heartbeatTimeout: '10 seconds',
        summary: request.summary,
        ...(cancellable ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
      }, [deliveryRequest]));
    } catch (error) {
      // Asked to stop because the journey ended, the send either acknowledged it or failed its last
      // attempt (Temporal does not retry an attempt once a cancellation is requested): either way it is over.
      if (cancellable && this.exitRequest && (isCancellation(error) || error instanceof ActivityFailure)) {
        await bookkeeping().abandonSend({ idempotencyKey: key, campaign: this.campaign, customerId: this.customerId, step: request.step, channel: request.channel });
        this.record('skip', `${request.summary}: cancelled before it reached the provider (the journey ended)`);
        return 'exited';
      }
      // The provider refused this recipient for good (invalid number, unsubscribed, SMTP 5xx): the ledger
      // has recorded it; the journey treats the channel as unreachable and goes on.
      if (!(error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === 'PermanentDeliveryError')) throw error;
      this.unreachableSteps += 1;
      this.record('skip', `${request.summary}: rejected by the provider (${error.cause.message})`);
      return 'unreachable';
    } finally {
      settled = true;
    }
  }

  /** Ends the journey: one named outcome, in the result, the search attributes and the journey log. */
  async finish(fallback: Outcome, why: string): Promise<JourneyResult> {
    const { outcome, why: reason } = this.exitRequest ?? { outcome: fallback, why };
    this.state.outcome = outcome;
    this.state.stage = 'ended';
    this.record('exit', `${outcome}: ${reason}`);
    upsertSearchAttributes([
      { key: searchAttributeKeys.journeyStage, value: 'ended' },
      { key: searchAttributeKeys.outcome, value: outcome },
    ]);
    setCurrentDetails(`Ended: ${outcome} (${reason})`);
    if (this.state.journeyId && !NOT_ENTERED.includes(outcome)) {
      await bookkeeping().endJourney({
        campaign: this.campaign, customerId: this.customerId, journeyId: this.state.journeyId,
        outcome, atMs: this.exitRequest?.atMs ?? Date.now(), messagesSent: this.state.messagesSent, lastMessageAtMs: this.lastMessageAtMs,
      });
    }
    log.info('Journey ended', { workflowId: workflowInfo().workflowId, outcome, why: reason });
    if (this.lateEvents.some(this.startsJourney) && patched('late-entry-starts-next-journey')) await this.startNextJourney();
    return {
      outcome,
      journeyId: this.state.journeyId,
      messagesSent: this.state.messagesSent,
      attributedTo: outcome === 'converted' ? this.state.lastMessage : null,
    };
  }

  /** Hands the events that arrived while this journey was ending to a fresh journey of the same customer. */
  private async startNextJourney(): Promise<never> {
    log.info('An entry arrived as the journey ended: the next journey starts with it', { events: this.lateEvents.length });
    const next = makeContinueAsNewFunc<(input: JourneyInput<CampaignState>) => Promise<JourneyResult>>({
      typedSearchAttributes: [
        { key: searchAttributeKeys.customerId, value: this.customerId },
        { key: searchAttributeKeys.campaignType, value: this.campaign },
        { key: searchAttributeKeys.journeyStage, value: 'entered' },
      ],
    });
    return next({ version: this.input.version, customerId: this.customerId, entries: this.lateEvents });
  }

  private async continueAsNewIfDue(): Promise<void> {
    // A journey that is ending never continues as new: the exit would not be carried.
    if (this.exitRequest && patched('exit-before-continue-as-new')) return;
    const info = workflowInfo();
    const mechanics: JourneyMechanics = this.settings;
    if (!info.continueAsNewSuggested && info.historyLength < mechanics.continueAsNewAfterEvents) return;
    const carried: CarriedJourney<CampaignState> = {
      state: this.state,
      seenEventIds: this.seenEventIds,
      stepIndex: this.stepIndex,
      lastMessageAtMs: this.lastMessageAtMs,
      unreachableSteps: this.unreachableSteps,
      campaignState: this.campaignState,
    };
    log.info('Continuing as new', { historyLength: info.historyLength });
    await continueAsNew<(input: JourneyInput<CampaignState>) => Promise<JourneyResult>>({ ...this.input, entry: undefined, carried });
  }
}
