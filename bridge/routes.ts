import type { CustomerEvent, EventType } from '../contract/events';
import type { CampaignType } from '../contract/journeys';

/** What one event asks of the system. The table below is the whole routing policy, as data. */
export type RouteAction =
  | { kind: 'startOrSignal'; campaign: CampaignType }
  | { kind: 'signalIfRunning'; campaign: CampaignType }
  | { kind: 'updateProfile' };

export interface RoutingContext {
  churnThreshold: number;
}

type Router = (event: CustomerEvent, context: RoutingContext) => RouteAction[];

const startOrSignal = (campaign: CampaignType): RouteAction => ({ kind: 'startOrSignal', campaign });
const signalIfRunning = (campaign: CampaignType): RouteAction => ({ kind: 'signalIfRunning', campaign });
const updateProfile: RouteAction = { kind: 'updateProfile' };
const everyJourney = (['cart-abandonment', 'browse-abandonment', 'churn-retention'] as const).map(signalIfRunning);

export const routes: Record<EventType, Router> = {
  'customer.updated': () => [updateProfile],
  // The profile first, so that consent is already withdrawn when a journey next plans a send.
  'customer.unsubscribed': () => [updateProfile, ...everyJourney],
  'product.viewed': () => [startOrSignal('browse-abandonment')],
  'cart.updated': (event) =>
    event.type === 'cart.updated' && event.properties.items.length > 0
      ? [startOrSignal('cart-abandonment'), signalIfRunning('browse-abandonment')]
      : [signalIfRunning('cart-abandonment')],
  'order.placed': () => everyJourney,
  'session.started': () => [signalIfRunning('churn-retention')],
  'churn.risk_scored': (event, context) =>
    event.type === 'churn.risk_scored' && event.properties.score >= context.churnThreshold
      ? [startOrSignal('churn-retention')]
      : [signalIfRunning('churn-retention')],
};

export function routeEvent(event: CustomerEvent, context: RoutingContext): RouteAction[] {
  return routes[event.type](event, context);
}
