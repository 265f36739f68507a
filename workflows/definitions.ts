import { defineQuery, defineSignal } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CustomerEvent } from '../contract/events';

/**
 * Everything that bridge/, admin/ and tests share with the workflows: names, IDs, signals, queries,
 * search attributes and the shapes that cross the Temporal boundary. Importing it pulls in no
 * workflow code.
 */

export const CAMPAIGN_TYPES = ['cart-abandonment', 'browse-abandonment', 'churn-retention'] as const;
export type CampaignType = (typeof CAMPAIGN_TYPES)[number];

export function journeyWorkflowId(campaign: CampaignType, customerId: string): string {
  return `${campaign}:${customerId}`;
}

export const customerEventSignal = defineSignal<[CustomerEvent]>('customerEvent');

export const OUTCOMES = ['converted', 'completed', 'cart_emptied', 'not_contactable', 'already_sent'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface TimelineEntry {
  at: string;
  kind: 'event' | 'wait' | 'message' | 'exit';
  text: string;
}

export interface JourneyState {
  campaign: CampaignType;
  customerId: string;
  journeyId: string | null;
  stage: string;
  outcome: Outcome | null;
  lastMessage: string | null;
  timeline: TimelineEntry[];
}

export const journeyStateQuery = defineQuery<JourneyState>('journeyState');

export interface JourneyResult {
  outcome: Outcome;
  journeyId: string | null;
  messagesSent: number;
  attributedTo: string | null;
}

export const searchAttributeKeys = {
  customerId: defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD),
  campaignType: defineSearchAttributeKey('CampaignType', SearchAttributeType.KEYWORD),
  journeyStage: defineSearchAttributeKey('JourneyStage', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('Outcome', SearchAttributeType.KEYWORD),
} as const;

/** Registered on the Temporal namespace at provisioning time. */
export const CUSTOM_SEARCH_ATTRIBUTES = Object.values(searchAttributeKeys).map((key) => key.name);

export const CURRENT_WORKFLOW_VERSION = 1;

export interface CartAbandonmentSettings {
  reminderDelayMs: number;
}

export interface CartAbandonmentInput {
  version: number;
  customerId: string;
  settings: CartAbandonmentSettings;
}
