import { parseEvent, type CustomerEvent, type RejectionReason } from '../contract/events';
import type { Db } from '../db/database';
import { applyCustomerUpdated, applyUnsubscribe } from '../db/profiles';
import type { JourneyClient } from '../temporal/journeys';
import { routeEvent, type RouteAction, type RoutingContext } from './routes';

export type HandlingResult =
  | { kind: 'routed'; event: CustomerEvent; actions: Array<RouteAction & { effect: string }> }
  | { kind: 'rejected'; reason: RejectionReason; detail: string };

/** PostgreSQL data exceptions (class 22) and integrity violations (class 23): retrying cannot help. */
export function isUnprocessable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

export interface HandlerDependencies {
  journeys: JourneyClient;
  db: Db;
  now: () => number;
  routingContext: () => Promise<RoutingContext>;
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
  try {
    for (const action of routeEvent(event, await deps.routingContext())) {
      actions.push({ ...action, effect: await perform(deps, action, event) });
    }
  } catch (error) {
    if (!isUnprocessable(error)) throw error;
    return { kind: 'rejected', reason: 'unprocessable', detail: `the store refused the event: ${(error as Error).message}` };
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
    case 'updateProfile': {
      const applied = event.type === 'customer.updated' ? await applyCustomerUpdated(deps.db, event)
        : event.type === 'customer.unsubscribed' ? await applyUnsubscribe(deps.db, event)
          : false;
      return applied ? 'profile updated' : 'stale profile update ignored';
    }
  }
}
