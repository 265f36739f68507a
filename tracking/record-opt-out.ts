import type { EventOf } from '../contract/events';
import { applyUnsubscribe } from '../platform/db/profiles';
import type { TrackingDependencies } from './dependencies';

export type OptOutRecorded = 'published' | 'withdrawn, not yet published';

/**
 * An opt-out is withdrawn in PostgreSQL before it is answered, then published for the journeys: a
 * mail app's one-click POST and Twilio's inbound webhook are not retried, so a Kafka outage must not
 * lose it. Consent is read afresh at every send, so nothing more goes out either way; the bridge
 * applies the published event again (an opt-out is idempotent) and tells the journeys. Throws only
 * when PostgreSQL refused the write: then nothing was recorded and the caller must say so.
 */
export async function recordOptOut(
  deps: TrackingDependencies,
  event: EventOf<'customer.unsubscribed'>,
): Promise<OptOutRecorded> {
  await applyUnsubscribe(deps.db, event);
  try {
    await deps.publish(event);
    return 'published';
  } catch (error) {
    deps.logger.error(
      { err: error, eventId: event.eventId },
      'opt-out withdrawn in PostgreSQL but not published (Kafka refused it): journeys learn of it at their next send',
    );
    return 'withdrawn, not yet published';
  }
}
