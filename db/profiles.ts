import { sql } from 'kysely';
import type { EventOf } from '../contract/events';
import type { Db } from './database';

export interface Profile {
  customerId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  timezone: string | null;
  emailOptIn: boolean;
  smsOptIn: boolean;
}

const fieldColumns = {
  email: 'email',
  phone: 'phone',
  firstName: 'first_name',
  timezone: 'timezone',
  emailOptIn: 'email_opt_in',
  smsOptIn: 'sms_opt_in',
} as const;

/**
 * Applies a customer.updated event. Only the fields the event carries change, and an event older
 * than the last one applied is ignored, so replays and late arrivals cannot roll a profile back.
 * Returns false when the event was stale.
 */
export async function applyCustomerUpdated(db: Db, event: EventOf<'customer.updated'>): Promise<boolean> {
  const provided = Object.entries(fieldColumns).filter(([field]) => event.properties[field as keyof typeof fieldColumns] !== undefined);
  const values = Object.fromEntries(provided.map(([field, column]) => [column, event.properties[field as keyof typeof fieldColumns]]));
  const result = await db
    .insertInto('customer_profiles')
    .values({ customer_id: event.customerId, last_event_id: event.eventId, last_event_at: event.occurredAt, ...values })
    .onConflict((conflict) =>
      conflict.column('customer_id')
        .doUpdateSet((eb) => ({
          ...Object.fromEntries(provided.map(([, column]) => [column, eb.ref(`excluded.${column}`)])),
          last_event_id: eb.ref('excluded.last_event_id'),
          last_event_at: eb.ref('excluded.last_event_at'),
          updated_at: new Date(),
        }))
        .where('customer_profiles.last_event_at', '<=', new Date(event.occurredAt)))
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function findProfile(db: Db, customerId: string): Promise<Profile | null> {
  const row = await db.selectFrom('customer_profiles').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  if (!row) return null;
  return {
    customerId: row.customer_id,
    email: row.email,
    phone: row.phone,
    firstName: row.first_name,
    timezone: row.timezone,
    emailOptIn: row.email_opt_in,
    smsOptIn: row.sms_opt_in,
  };
}

/**
 * Withdraws consent for the channel(s) named by an unsubscribe, even when it arrives after a newer
 * profile event: freshness is tracked per profile, not per field, and a late unsubscribe must never
 * be lost. (An opt-in given after the unsubscribe but delivered before it is the rare case this
 * errs on, on the side of not sending.)
 */
export async function applyUnsubscribe(db: Db, event: EventOf<'customer.unsubscribed'>): Promise<boolean> {
  const channel = event.properties.channel;
  const consent = {
    ...(channel === 'email' || channel === 'all' ? { email_opt_in: false } : {}),
    ...(channel === 'sms' || channel === 'all' ? { sms_opt_in: false } : {}),
  };
  const result = await db
    .insertInto('customer_profiles')
    .values({ customer_id: event.customerId, last_event_id: event.eventId, last_event_at: event.occurredAt, ...consent })
    .onConflict((conflict) => conflict.column('customer_id')
      .doUpdateSet((eb) => ({
        ...consent,
        last_event_at: sql<Date>`greatest(${eb.ref('customer_profiles.last_event_at')}, ${new Date(event.occurredAt)})`,
        updated_at: new Date(),
      })))
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export type ProfileChanges = Partial<Omit<Profile, 'customerId'>>;

/**
 * An operator's change to a profile. It always applies, and it counts as the newest word on the
 * profile: events that occurred before it can no longer roll it back.
 */
export async function applyOperatorChanges(db: Db, customerId: string, changes: ProfileChanges, changeId: string): Promise<void> {
  const values = Object.fromEntries(Object.entries(fieldColumns)
    .filter(([field]) => changes[field as keyof ProfileChanges] !== undefined)
    .map(([field, column]) => [column, changes[field as keyof ProfileChanges]]));
  const now = new Date();
  await db.insertInto('customer_profiles')
    .values({ customer_id: customerId, last_event_id: changeId, last_event_at: now, ...values })
    .onConflict((conflict) => conflict.column('customer_id').doUpdateSet((eb) => ({
      ...values,
      last_event_id: changeId,
      last_event_at: sql<Date>`greatest(${eb.ref('customer_profiles.last_event_at')}, ${now})`,
      updated_at: now,
    })))
    .execute();
}
