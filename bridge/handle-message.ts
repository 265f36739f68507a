import {
  isFeedbackEvent,
  optOutOf,
  parseEvent,
  type CustomerEvent,
  type OptOutEvent,
  type ParseResult,
  type RejectionReason,
} from '../contract/events';
import type { Db } from '../platform/db/database';
import { applyFeedback } from '../platform/db/feedback';
import { recordOrder } from '../platform/db/orders';
import { applyCustomerUpdated, applyUnsubscribe } from '../platform/db/profiles';
import { maskPiiInText } from '../platform/pii';
import type { JourneyClient } from '../platform/temporal/journeys';
import { isJourneyRoute, routeEvent, type RouteAction, type RoutingContext } from './routes';

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
  /** How far ahead of `now` an occurredAt may be (EVENT_MAX_FUTURE_SKEW); the contract's default when unset. */
  maxFutureSkewMs?: number;
}

/**
 * Validates one message and carries out its routes. Throws only on infrastructure failures
 * (Temporal or PostgreSQL unreachable), which the caller retries; every route is idempotent.
 * A rejected message that withdraws consent still withdraws it, and an unsubscribe still reaches
 * the journeys, before the message is dead-lettered.
 */
export async function handleMessage(
  deps: HandlerDependencies,
  value: Buffer | null,
  key: Buffer | null,
): Promise<HandlingResult> {
  return handleParsed(deps, parseEvent(value, key, deps.now(), { maxFutureSkewMs: deps.maxFutureSkewMs }));
}

/** `handleMessage` for a message already parsed. */
export async function handleParsed(deps: HandlerDependencies, parsed: ParseResult): Promise<HandlingResult> {
  if (!parsed.ok) {
    const salvaged = parsed.optOut ? `; ${await applyOptOut(deps, parsed.optOut)}` : '';
    return { kind: 'rejected', reason: parsed.reason, detail: `${parsed.detail}${salvaged}` };
  }

  const { event } = parsed;
  const actions: Array<RouteAction & { effect: string }> = [];
  try {
    const routes = routeEvent(event, await deps.routingContext());
    // The records first (consent is withdrawn before any journey is told), in order; then the
    // journeys, which are independent of each other, at once: an order tells four of them.
    for (const action of routes.filter((route) => !isJourneyRoute(route)))
      actions.push({ ...action, effect: await perform(deps, action, event) });
    const journeyRoutes = routes.filter(isJourneyRoute);
    const effects = await Promise.all(journeyRoutes.map((action) => perform(deps, action, event)));
    journeyRoutes.forEach((action, index) => actions.push({ ...action, effect: effects[index]! }));
  } catch (error) {
    if (!isUnprocessable(error)) throw error;
    const refusal = `the store refused the event: ${maskPiiInText((error as Error).message)}`;
    const optOut = optOutOf(event);
    const salvaged = optOut ? `; ${await applyOptOut(deps, optOut)}` : '';
    return { kind: 'rejected', reason: 'unprocessable', detail: `${refusal}${salvaged}` };
  }
  return { kind: 'routed', event, actions };
}

/**
 * Carries out the routes of an opt-out alone: the consent it withdraws, then (for an unsubscribe)
 * the journeys. A refusal of the consent write does not stop the journeys from being told.
 */
async function applyOptOut(deps: HandlerDependencies, optOut: OptOutEvent): Promise<string> {
  let consent = 'the opt-out was applied';
  const told: string[] = [];
  for (const action of routeEvent(optOut, await deps.routingContext())) {
    if (action.kind === 'recordFeedback' || action.kind === 'recordOrder') continue;
    if (action.kind !== 'updateProfile') {
      told.push(`${action.campaign}: ${await perform(deps, action, optOut)}`);
      continue;
    }
    try {
      await perform(deps, action, optOut);
    } catch (error) {
      if (!isUnprocessable(error)) throw error;
      consent = `the store refused the opt-out too (${maskPiiInText((error as Error).message)})`;
    }
  }
  return told.length > 0 ? `${consent} and the journeys were told (${told.join(', ')})` : consent;
}

async function perform(deps: HandlerDependencies, action: RouteAction, event: CustomerEvent): Promise<string> {
  switch (action.kind) {
    case 'startOrSignal':
      await deps.journeys.startOrSignal(action.campaign, event);
      return 'delivered';
    case 'signalIfRunning':
      return (await deps.journeys.signalIfRunning(action.campaign, event)) ? 'delivered' : 'no running journey';
    case 'updateProfile': {
      const applied =
        event.type === 'customer.updated'
          ? await applyCustomerUpdated(deps.db, event)
          : event.type === 'customer.unsubscribed'
            ? await applyUnsubscribe(deps.db, event)
            : false;
      return applied ? 'profile updated' : 'stale profile update ignored';
    }
    case 'recordFeedback':
      return isFeedbackEvent(event) ? await applyFeedback(deps.db, event) : 'not a feedback event';
    case 'recordOrder':
      return event.type === 'order.placed' ? await recordOrder(deps.db, event) : 'not an order';
  }
}
