import type { CustomerEvent, EventType } from '../contract/events';
import type { StartableCampaign } from '../temporal/journeys';
import type { CampaignType } from '../workflows/definitions';

/** What one event asks of the system. The table below is the whole routing policy, as data. */
export type RouteAction =
  | { kind: 'startOrSignal'; campaign: StartableCampaign }
  | { kind: 'signalIfRunning'; campaign: CampaignType }
  | { kind: 'updateProfile' };

type Router = (event: CustomerEvent) => RouteAction[];

const startOrSignal = (campaign: StartableCampaign): RouteAction => ({ kind: 'startOrSignal', campaign });
const signalIfRunning = (campaign: CampaignType): RouteAction => ({ kind: 'signalIfRunning', campaign });

export const routes: Record<EventType, Router> = {
  'customer.updated': () => [{ kind: 'updateProfile' }],
  'customer.unsubscribed': () => [],
  'product.viewed': () => [],
  'cart.updated': (event) =>
    event.type === 'cart.updated' && event.properties.items.length > 0
      ? [startOrSignal('cart-abandonment')]
      : [signalIfRunning('cart-abandonment')],
  'order.placed': () => [signalIfRunning('cart-abandonment')],
  'session.started': () => [],
  'churn.risk_scored': () => [],
};

export function routeEvent(event: CustomerEvent): RouteAction[] {
  return routes[event.type](event);
}
