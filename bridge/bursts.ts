import type { KafkaMessage } from 'kafkajs';
import { parseEvent, type CustomerEvent, type ParseResult } from '../contract/events';
import { isJourneyRoute, routeEvent, type RoutingContext } from './routes';

/** The most bytes of events one coalesced call carries: well inside Temporal's 2 MB payload limit. */
export const MAX_BURST_BYTES = 512 * 1024;

/**
 * What the bridge does with a customer's messages, in order: a burst is consecutive valid events
 * that only start or signal journeys, delivered in one call per journey; anything else (a record to
 * write, a consent to withdraw, a message to dead-letter) is handled alone, exactly as before. Each
 * message is parsed once, here.
 */
export type Unit =
  | { kind: 'single'; message: KafkaMessage; parsed: ParseResult }
  | { kind: 'burst'; messages: [KafkaMessage, ...KafkaMessage[]]; events: CustomerEvent[] };

export interface BurstLimits {
  maxEvents: number;
  maxBytes?: number;
  now: number;
  maxFutureSkewMs?: number | undefined;
}

/** Splits one customer's messages (offset order) into units, keeping their order. */
export function planUnits(messages: readonly KafkaMessage[], context: RoutingContext, limits: BurstLimits): Unit[] {
  const maxBytes = limits.maxBytes ?? MAX_BURST_BYTES;
  const units: Unit[] = [];
  let burst: Extract<Unit, { kind: 'burst' }> | null = null;
  let burstBytes = 0;
  for (const message of messages) {
    const parsed = parseEvent(message.value, message.key, limits.now, { maxFutureSkewMs: limits.maxFutureSkewMs });
    const event = limits.maxEvents > 1 && parsed.ok && onlyJourneys(parsed.event, context) ? parsed.event : null;
    if (!event) {
      burst = null;
      units.push({ kind: 'single', message, parsed });
      continue;
    }
    const bytes = message.value?.length ?? 0;
    if (!burst || burst.events.length >= limits.maxEvents || burstBytes + bytes > maxBytes) {
      burst = { kind: 'burst', messages: [message], events: [event] };
      burstBytes = bytes;
      units.push(burst);
      continue;
    }
    burst.messages.push(message);
    burst.events.push(event);
    burstBytes += bytes;
  }
  return units.map((unit) =>
    unit.kind === 'burst' && unit.messages.length === 1
      ? { kind: 'single', message: unit.messages[0], parsed: { ok: true, event: unit.events[0]! } }
      : unit,
  );
}

/** True when the event's routes only start or signal journeys. */
const onlyJourneys = (event: CustomerEvent, context: RoutingContext) =>
  routeEvent(event, context).every(isJourneyRoute);
