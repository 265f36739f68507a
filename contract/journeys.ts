import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CustomerEvent, EventOf } from './events';
import type { CampaignType } from './campaigns';

/**
 * Everything that bridge/, admin/ and tests share with the workflows: names, IDs, signals, queries,
 * search attributes and the shapes that cross the Temporal boundary. Importing it pulls in no
 * workflow code, and the workflows importing it pull in no zod: from the campaign registry it takes
 * types only (CAMPAIGN_TYPES and WORKFLOW_TYPES are in ./campaigns).
 */

export type { CampaignType } from './campaigns';

export function journeyWorkflowId(campaign: CampaignType, customerId: string): string {
  return `${campaign}:${customerId}`;
}

/**
 * The idempotency key of one send: one message per customer, journey instance, step and channel.
 * Each part is percent-encoded, so a `:` inside an ID can never make two customers' keys equal
 * (`a:b` + `c` and `a` + `b:c`); IDs without reserved characters read as before.
 */
export function deliveryKey(
  campaign: CampaignType,
  customerId: string,
  journeyId: string | null,
  step: string,
  channel: string,
): string {
  return [campaign, customerId, String(journeyId), step, channel].map(encodeURIComponent).join(':');
}

/** The prefix shared by the idempotency keys of every send of one journey instance. */
export function journeyDeliveryKeyPrefix(campaign: CampaignType, customerId: string, journeyId: string): string {
  return `${[campaign, customerId, journeyId].map(encodeURIComponent).join(':')}:`;
}

export const customerEventSignal = defineSignal<[CustomerEvent]>('customerEvent');
/**
 * A customer's consecutive events in one signal, oldest first: the journey handles them exactly as it
 * would the same events signalled one by one (the bridge coalesces a burst into one call).
 */
export const customerEventsSignal = defineSignal<[CustomerEvent[]]>('customerEvents');
/** An operator ends the journey; the reason is recorded with the outcome. */
export const cancelJourneySignal = defineSignal<[{ reason: string }]>('cancelJourney');
/** The journey's campaign was resumed: a journey held at a send goes on at once. */
export const campaignResumedSignal = defineSignal('campaignResumed');
/** The journey's campaign was cancelled: the journey ends with outcome `campaign_cancelled` and the reason. */
export const campaignCancelledSignal = defineSignal<[{ reason: string }]>('campaignCancelled');

export const OUTCOMES = [
  'completed',
  'converted',
  'cart_emptied',
  'moved_to_cart',
  'customer_returned',
  'score_dropped',
  'unsubscribed',
  'cancelled',
  'suppressed',
  'not_contactable',
  'duplicate_entry',
  'cooldown',
  'stale_event',
  'campaign_paused',
  'campaign_cancelled',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Outcomes of a run refused at admission, so never a journey instance of its own (and with no row
 * in the journey log). `campaign_cancelled` is also the outcome of a run refused while its campaign
 * was cancelled, but it ends admitted journeys too.
 */
export const ADMISSION_REFUSALS: readonly Outcome[] = ['duplicate_entry', 'stale_event', 'cooldown', 'campaign_paused'];

export interface TimelineEntry {
  at: string;
  /** `engagement`: what became of a sent message (delivered, opened…), merged in from the ledger by the admin API. */
  kind: 'event' | 'wait' | 'message' | 'skip' | 'exit' | 'engagement';
  text: string;
}

export interface JourneyState {
  campaign: CampaignType;
  customerId: string;
  journeyId: string | null;
  stage: string;
  outcome: Outcome | null;
  lastMessage: string | null;
  messagesSent: number;
  timeline: TimelineEntry[];
  /** Decided at admission; absent in journeys admitted before experiments existed (treated). */
  group?: 'treatment' | 'holdout';
  /** The variant dealt for each step that has variants, by step name. */
  variants?: Record<string, string>;
}

export const journeyStateQuery = defineQuery<JourneyState>('journeyState');

export interface JourneyResult {
  outcome: Outcome;
  journeyId: string | null;
  messagesSent: number;
  /** For conversions: the last message sent before the goal, which gets the credit. */
  attributedTo: string | null;
}

/** What a journey carries into its next run when it continues as new. */
export interface CarriedJourney<CampaignState> {
  state: JourneyState;
  seenEventIds: string[];
  stepIndex: number;
  lastMessageAtMs: number | null;
  unreachableSteps: number;
  campaignState: CampaignState;
  /** Absent in runs from before the SMS-failure fallback. */
  smsFallback?: SmsFallbackState;
  /** The entry event's occurredAt; absent in runs carried before it was. */
  entryEventAt?: string;
}

/** What a journey remembers to fall back from a failed SMS to the step's next channel (docs/JOURNEYS.md). */
export interface SmsFallbackState {
  /** `step:channel` of each message the journey sent. */
  sent: string[];
  /** Steps that already fell back: each does once. */
  fellBack: string[];
  /** Failures whose fallback waits for the journey to be between steps. */
  pending: Array<EventOf<'message.failed'>>;
}

export interface JourneyInput<CampaignState = unknown> {
  /** The workflow code version that started this run; carried through continue-as-new. */
  version: number;
  customerId: string;
  carried?: CarriedJourney<CampaignState>;
  /** An entry event passed at start (an operator's start), handled as if it had been signalled first. */
  entry?: CustomerEvent;
  /**
   * Events handed over by the previous journey, which ended as they arrived; handled as if
   * signalled first, in order.
   */
  entries?: CustomerEvent[];
  /** This journey's own overrides of its campaign's settings (an operator's test journey). */
  overrides?: Record<string, unknown>;
}

export const searchAttributeKeys = {
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  campaignType: defineSearchAttributeKey('CampaignType', SearchAttributeType.KEYWORD),
  journeyStage: defineSearchAttributeKey('JourneyStage', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('Outcome', SearchAttributeType.KEYWORD),
  /** `holdout` for a held-out journey, `<step>:<variant>` for each variant it was dealt (docs/EXPERIMENTS.md). */
  variant: defineSearchAttributeKey('Variant', SearchAttributeType.KEYWORD_LIST),
} as const;

/** Registered on the Temporal namespace at provisioning time. */
export const CUSTOM_SEARCH_ATTRIBUTES = Object.values(searchAttributeKeys).map(({ name, type }) => ({ name, type }));

export const CURRENT_WORKFLOW_VERSION = 2;
