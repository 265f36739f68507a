import type { CustomerEvent } from '../events';
import { browseAbandonment } from './browse-abandonment';
import { cartAbandonment } from './cart-abandonment';
import { churnRetention } from './churn-retention';
import type { EntryMeta, EventRules, StartBodyOf, StartRefusal } from './definition';
import { postPurchase } from './post-purchase';

/**
 * The campaign registry: every campaign the engine runs, one definition each. Routing, settings, the
 * admin API (and its OpenAPI document), the Web UI's summaries and the demo are derived from it. A
 * campaign is added here and in workflows/index.ts; see docs/JOURNEYS.md#adding-a-campaign.
 */
export const CAMPAIGNS = [cartAbandonment, browseAbandonment, churnRetention, postPurchase] as const;

type Definition = (typeof CAMPAIGNS)[number];
export type CampaignType = Definition['type'];
export type CampaignDefinitionOf<C extends CampaignType> = Extract<Definition, { type: C }>;

export const CAMPAIGN_TYPES = CAMPAIGNS.map((campaign) => campaign.type) as unknown as readonly [
  CampaignType,
  ...CampaignType[],
];

export function campaignDefinition<C extends CampaignType>(campaign: C): CampaignDefinitionOf<C> {
  return CAMPAIGNS.find((definition) => definition.type === campaign) as CampaignDefinitionOf<C>;
}

/** Each campaign's settings as its workflow sees them (durations in ms). */
export type CampaignSettingsMap = { [C in CampaignType]: CampaignDefinitionOf<C>['settings']['defaults'] };

export const WORKFLOW_TYPES = Object.fromEntries(
  CAMPAIGNS.map((campaign) => [campaign.type, campaign.workflowType]),
) as Record<CampaignType, string>;

/** What an operator's start of a journey of this campaign says (after validation and defaults). */
export type StartBody<C extends CampaignType> = C extends CampaignType
  ? StartBodyOf<CampaignDefinitionOf<C>['start']['fields']>
  : never;

/**
 * The entry event an operator's start (or a launch's entry of one customer) stands for, shaped like
 * the storefront's own: the journey takes it as if the storefront had sent it.
 */
export function entryEventFor<C extends CampaignType>(campaign: C, body: StartBody<C>, meta: EntryMeta): CustomerEvent {
  const entryEvent = campaignDefinition(campaign).start.entryEvent as (
    body: StartBody<C>,
    meta: EntryMeta,
  ) => CustomerEvent;
  return entryEvent(body, meta);
}

/** Why the campaign refuses this start under these settings (422), if it does. */
export function startRefusal<C extends CampaignType>(
  campaign: C,
  body: StartBody<C>,
  settings: CampaignSettingsMap,
): StartRefusal | undefined {
  const refusal = campaignDefinition(campaign).start.refusal as
    ((body: StartBody<C>, settings: unknown) => StartRefusal | undefined) | undefined;
  return refusal?.(body, settings[campaign]);
}

type Rule = (event: CustomerEvent, settings: unknown) => boolean;

/** Whether the event, under these settings, starts (or feeds) a journey of the campaign. */
export function startsJourney(campaign: CampaignType, event: CustomerEvent, settings: CampaignSettingsMap): boolean {
  return applies(campaignDefinition(campaign).startsOn, event, settings[campaign]);
}

/**
 * Whether a running journey of the campaign must be told of the event: an unsubscribe, an SMS of
 * the campaign reported undelivered (the journey may fall back to the step's next channel), or what
 * the campaign's `signals` list.
 */
export function signalsJourney(campaign: CampaignType, event: CustomerEvent, settings: CampaignSettingsMap): boolean {
  return (
    event.type === 'customer.unsubscribed' ||
    (event.type === 'message.failed' && event.properties.channel === 'sms' && event.properties.campaign === campaign) ||
    applies(campaignDefinition(campaign).signals, event, settings[campaign])
  );
}

function applies(rules: EventRules<never>, event: CustomerEvent, settings: unknown): boolean {
  const rule = rules[event.type] as Rule | undefined;
  return rule !== undefined && rule(event, settings);
}

export type { EntryMeta } from './definition';
