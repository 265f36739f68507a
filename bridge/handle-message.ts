import { parseEvent, type CustomerEvent, type RejectionReason } from '../contract/events';
import type { Db } from '../db/database';
import { applyCustomerUpdated } from '../db/profiles';
import type { JourneyClient } from '../temporal/journeys';
import { routeEvent, type RouteAction } from './routes';

export type HandlingResult =
  | { kind: 'routed'; event: CustomerEvent; actions: Array<RouteAction & { effect: string }> }
  | { kind: 'rejected'; reason: RejectionReason; detail: string };

export interface HandlerDependencies {
  journeys: JourneyClient;
  db: Db;
  now: () => number;
}

/**
 * Validates one message and carries out its routes. Throws only on infrastructure failures
 * (Temporal or PostgreSQL unreachable), which the caller retries; every route is idempotent.
 */
export async function handleMessage(
  deps: HandlerDependencies,
  value: Buffer | null,
  key: Buffer | null,
): Promise<HandlingResult> {
  const parsed = parseEvent(value, key, deps.now());
  if (!parsed.ok) return { kind: 'rejected', reason: parsed.reason, detail: parsed.detail };

  const { event } = parsed;
  const actions: Array<RouteAction & { effect: string }> = [];
  for (const action of routeEvent(event)) {
    actions.push({ ...action, effect: await perform(deps, action, event) });
  }
  return { kind: 'routed', event, actions };
}

async function perform(deps: HandlerDependencies, action: RouteAction, event: CustomerEvent): Promise<string> {
  switch (action.kind) {
    case 'startOrSignal':
      await deps.journeys.startOrSignal(action.campaign, event);
      return 'delivered';
    case 'signalIfRunning':
      return (await deps.journeys.signalIfRunning(action.campaign, event)) ? 'delivered' : 'no running journey';
    case 'updateProfile':
      if (event.type !== 'customer.updated') return 'not a profile event';
      return (await applyCustomerUpdated(deps.db, event)) ? 'profile updated' : 'stale profile update ignored';
  }
}
