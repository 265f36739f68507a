import { log, patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { CustomerEvent, EventOf } from '../../contract/events';
import {
  searchAttributeKeys,
  type CampaignType,
  type CarriedJourney,
  type JourneyInput,
  type JourneyState,
  type Outcome,
  type SmsFallbackState,
  type TimelineEntry,
} from '../../contract/journeys';
import type { CampaignSettingsMap } from '../../contract/settings/types';
import type { Step } from './steps';

/** The patches a run started before 'local-first-send' may have taken, each with its own marker. */
export type EarlierPatch =
  | 'local-bookkeeping'
  | 'admission-before-early-exit'
  | 'refused-entry-hands-over'
  | 'holdout-and-variants'
  | 'event-time-capped'
  | 'sms-failure-fallback'
  | 'late-entry-starts-next-journey'
  | 'exit-before-continue-as-new'
  | 'quiet-hours-guard'
  | 'cancel-send-on-exit';

const MAX_REMEMBERED_EVENT_IDS = 500;
const MAX_TIMELINE_ENTRIES = 60;

export interface ExitRequest {
  outcome: Outcome;
  why: string;
  /** When the journey ended by the customer's clock (their order, their unsubscribe), else by the journey's. */
  atMs?: number;
}

/**
 * Everything one run of a journey knows: what the query shows, which events it has seen, how far
 * it got, and whether it is ending. The engine's modules share it; campaigns never touch it.
 */
export class JourneyRun<C extends CampaignType, CampaignState> {
  readonly state: JourneyState;
  settings: CampaignSettingsMap[C] | undefined;
  stepIndex: number;
  lastMessageAtMs: number | null;
  /** Steps that could not be sent because the customer cannot be reached on their channel. */
  unreachableSteps: number;
  exit: ExitRequest | null = null;
  /** When the entry event happened (its occurredAt): for the re-entry rules and the event-to-send latency. */
  entryEventAt: string | null = null;
  campaignState: CampaignState;
  /** Events that arrived after the journey decided to end, in arrival order. */
  readonly lateEvents: CustomerEvent[] = [];
  /** Events that arrived after the entry while the journey waited to be admitted, in arrival order. */
  readonly arrivedDuringAdmission: CustomerEvent[] = [];
  /** Which events would start a new journey of this campaign. */
  startsJourney: (event: CustomerEvent) => boolean = () => false;
  /** Admitted (or a continuation of an admitted run): its events are its own from now on. */
  admitted: boolean;
  resumedSignals = 0;
  /** The campaign's steps, once they run. */
  steps: readonly Step[] = [];
  /** The steps are over: a failure reported from now on changes nothing. */
  stepsDone = false;
  readonly smsFallback: SmsFallbackState;
  /** The send in flight, as `step:channel`: a provider's report on it can arrive before the activity returns. */
  sendingNow: string | null = null;
  /**
   * The last message, if a first attempt sent it inside a workflow task (./send-step.ts): the
   * journey saw no signal meanwhile, so an exit dated before the provider took it withdraws its credit.
   */
  creditInDoubt: { label: string; acceptedAtMs: number; previous: string | null } | null = null;
  /** Failures reported for the SMS in flight, judged once its send has returned (./sms-fallback.ts). */
  readonly earlySmsFailures: Array<EventOf<'message.failed'>> = [];
  /**
   * Started by code with local first sends (./send-step.ts): the run takes every earlier patch's
   * new path without writing a marker for each (docs/JOURNEYS.md, "Changing a journey").
   */
  readonly localFirstSend: boolean;
  private readonly seenEventIds: string[];
  /** The stage last upserted as the search attribute. */
  private shownStage: string;

  constructor(
    readonly campaign: C,
    readonly input: JourneyInput<CampaignState>,
    initialState: CampaignState,
  ) {
    this.localFirstSend = patched('local-first-send');
    const carried = input.carried;
    this.state = carried?.state ?? {
      campaign,
      customerId: input.customerId,
      journeyId: null,
      stage: 'entered',
      outcome: null,
      lastMessage: null,
      messagesSent: 0,
      timeline: [],
    };
    this.seenEventIds = carried?.seenEventIds ?? [];
    this.stepIndex = carried?.stepIndex ?? 0;
    this.lastMessageAtMs = carried?.lastMessageAtMs ?? null;
    this.unreachableSteps = carried?.unreachableSteps ?? 0;
    this.campaignState = carried ? carried.campaignState : initialState;
    this.smsFallback = carried?.smsFallback ?? { sent: [], fellBack: [], pending: [] };
    this.entryEventAt = carried?.entryEventAt ?? null;
    this.admitted = carried !== undefined;
    this.shownStage = this.state.stage;
  }

  /** Whether the run takes an earlier patch's new path: a run started since 'local-first-send' takes them all. */
  takes(patch: EarlierPatch): boolean {
    return this.localFirstSend || patched(patch);
  }

  get customerId(): string {
    return this.input.customerId;
  }

  /** The first event that may start the journey becomes its entry; later ones change nothing here. */
  enterWith(event: CustomerEvent): void {
    if (this.state.journeyId) return;
    this.state.journeyId = event.eventId;
    this.entryEventAt = event.occurredAt;
  }

  /** True the first time an event ID is seen; a redelivered event is ignored. */
  firstSighting(event: CustomerEvent): boolean {
    if (this.seenEventIds.includes(event.eventId)) {
      log.info('Duplicate event ignored', { eventId: event.eventId, type: event.type });
      return false;
    }
    this.seenEventIds.push(event.eventId);
    if (this.seenEventIds.length > MAX_REMEMBERED_EVENT_IDS) this.seenEventIds.shift();
    return true;
  }

  /** Keeps an event that arrived while the journey was ending, for the next journey. */
  holdForNextJourney(event: CustomerEvent): void {
    const known = (held: CustomerEvent) => held.eventId === event.eventId;
    if (
      this.seenEventIds.includes(event.eventId) ||
      this.lateEvents.some(known) ||
      this.lateEvents.length >= MAX_REMEMBERED_EVENT_IDS
    )
      return;
    this.lateEvents.push(event);
  }

  /**
   * When an event happened, by the journey's clock: never later than now. An event dated ahead (a
   * storefront clock a few minutes fast) would otherwise make every later event look stale until
   * its date passed, including the emptied cart that ends the journey.
   */
  eventTime(event: CustomerEvent): number {
    const occurredAt = Date.parse(event.occurredAt);
    return this.takes('event-time-capped') ? Math.min(occurredAt, Date.now()) : occurredAt;
  }

  /**
   * Ends the journey at its next decision; the first exit wins. `cause` is the customer's event that
   * ends it: the journey's end is then dated when the customer acted, so a new entry that happened
   * after it (a new cart after the order) is never taken for a stale one, even if it reached the
   * journey before it closed.
   */
  requestExit(outcome: Outcome, why: string, cause?: CustomerEvent): void {
    if (this.exit) return;
    const atMs = cause ? Math.min(Date.parse(cause.occurredAt), Date.now()) : Date.now();
    this.exit = { outcome, why, atMs };
    const inDoubt = this.creditInDoubt;
    if (inDoubt && atMs < inDoubt.acceptedAtMs) {
      this.state.lastMessage = inDoubt.previous;
      this.creditInDoubt = null;
      this.record('message', `${inDoubt.label}: in flight when the journey ended (not credited)`);
    }
  }

  record(kind: TimelineEntry['kind'], text: string): void {
    this.state.timeline.push({ at: new Date().toISOString(), kind, text });
    if (this.state.timeline.length > MAX_TIMELINE_ENTRIES) this.state.timeline.shift();
  }

  /**
   * The stage (a search attribute, upserted only when it changes) and the current details shown in
   * the Web UI. `query-only`: a stage that ends within the workflow task, which visibility could
   * never show, is kept for the state query only.
   */
  moveTo(stage: string, details: string, shown: 'upsert' | 'query-only' = 'upsert'): void {
    this.state.stage = stage;
    if (shown === 'upsert' && this.shownStage !== stage) {
      this.shownStage = stage;
      upsertSearchAttributes([{ key: searchAttributeKeys.journeyStage, value: stage }]);
    }
    setCurrentDetails(details);
  }

  /** What a continuation of this run starts from. */
  carried(): CarriedJourney<CampaignState> {
    return {
      state: this.state,
      seenEventIds: this.seenEventIds,
      stepIndex: this.stepIndex,
      lastMessageAtMs: this.lastMessageAtMs,
      unreachableSteps: this.unreachableSteps,
      campaignState: this.campaignState,
      smsFallback: this.smsFallback,
      ...(this.entryEventAt === null ? {} : { entryEventAt: this.entryEventAt }),
    };
  }
}
