import {
  CAMPAIGN_TYPES,
  signalsJourney,
  startsJourney,
  type CampaignSettingsMap,
  type CampaignType,
} from '../contract/campaigns';
import { isFeedbackEvent, type CustomerEvent, type EventType } from '../contract/events';

/**
 * What one event asks of the system: the profile, feedback and order records first, then each
 * campaign's rules (contract/campaigns/).
 */
export type RouteAction =
  | { kind: 'startOrSignal'; campaign: CampaignType }
  | { kind: 'signalIfRunning'; campaign: CampaignType }
  | { kind: 'updateProfile' }
  /** What became of a sent message: applied to the delivery ledger and the suppression list. */
  | { kind: 'recordFeedback' }
  /** An order, kept for conversions and revenue (docs/EXPERIMENTS.md). */
  | { kind: 'recordOrder' };

export type JourneyRoute = Extract<RouteAction, { kind: 'startOrSignal' | 'signalIfRunning' }>;

/** A route that starts or signals a journey (the others write a record). */
export function isJourneyRoute(route: RouteAction): route is JourneyRoute {
  return route.kind === 'startOrSignal' || route.kind === 'signalIfRunning';
}

export interface RoutingContext {
  /** The campaign settings in force: a rule may depend on them (the churn threshold). */
  settings: CampaignSettingsMap;
}

// The profile first, so that consent is already withdrawn when a journey next plans a send.
const PROFILE_EVENTS: readonly EventType[] = ['customer.updated', 'customer.unsubscribed'];

export function routeEvent(event: CustomerEvent, context: RoutingContext): RouteAction[] {
  const profile: RouteAction[] = PROFILE_EVENTS.includes(event.type) ? [{ kind: 'updateProfile' }] : [];
  const feedback: RouteAction[] = isFeedbackEvent(event) ? [{ kind: 'recordFeedback' }] : [];
  const order: RouteAction[] = event.type === 'order.placed' ? [{ kind: 'recordOrder' }] : [];
  const journeys = CAMPAIGN_TYPES.flatMap((campaign): RouteAction[] => {
    if (startsJourney(campaign, event, context.settings)) return [{ kind: 'startOrSignal', campaign }];
    if (signalsJourney(campaign, event, context.settings)) return [{ kind: 'signalIfRunning', campaign }];
    return [];
  });
  return [...profile, ...feedback, ...order, ...journeys];
}
