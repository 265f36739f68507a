import type { Updateable } from 'kysely';
import type { EventOf } from '../../contract/events';
import type { Db } from './database';
import type { CustomerProfilesTable } from './schema';

export interface Profile {
  customerId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  timezone: string | null;
  emailOptIn: boolean;
  smsOptIn: boolean;
}

export type ProfileChanges = Partial<Omit<Profile, 'customerId'>>;
type Field = keyof ProfileChanges;

const columns = {
  email: { value: 'email', asOf: 'email_as_of' },
  phone: { value: 'phone', asOf: 'phone_as_of' },
  firstName: { value: 'first_name', asOf: 'first_name_as_of' },
  timezone: { value: 'timezone', asOf: 'timezone_as_of' },
  emailOptIn: { value: 'email_opt_in', asOf: 'email_opt_in_as_of' },
  smsOptIn: { value: 'sms_opt_in', asOf: 'sms_opt_in_as_of' },
} as const satisfies Record<Field, { value: keyof CustomerProfilesTable; asOf: keyof CustomerProfilesTable }>;

interface FieldWrite {
  field: Field;
  value: ProfileChanges[Field];
  /** Applies even when the field holds something newer (an opt-out, an operator's change). */
  always: boolean;
}

const isOptOut = (field: Field, value: unknown) => (field === 'emailOptIn' || field === 'smsOptIn') && value === false;

function writesOf(changes: ProfileChanges, always: (field: Field, value: unknown) => boolean): FieldWrite[] {
  return (Object.keys(columns) as Field[])
    .filter((field) => changes[field] !== undefined)
    .map((field) => ({ field, value: changes[field], always: always(field, changes[field]) }));
}

/**
 * Writes profile fields, each by its own freshness: a field takes the value when the write is at
 * least as new as the field (`<field>_as_of`) or is marked `always`, and its freshness becomes the
 * later of the two. Returns the fields that took the value.
 */
async function writeFields(
  db: Db,
  customerId: string,
  writes: FieldWrite[],
  source: { id: string; at: Date },
): Promise<Field[]> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('customer_profiles')
      .values({ customer_id: customerId, last_event_id: source.id, last_event_at: source.at })
      .onConflict((conflict) => conflict.column('customer_id').doNothing())
      .execute();
    const row = await trx
      .selectFrom('customer_profiles')
      .selectAll()
      .where('customer_id', '=', customerId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const changes: Record<string, unknown> = {};
    const applied: Field[] = [];
    for (const write of writes) {
      const { value, asOf } = columns[write.field];
      const fieldAsOf = row[asOf];
      if (!write.always && fieldAsOf !== null && source.at < fieldAsOf) continue;
      applied.push(write.field);
      changes[value] = write.value;
      changes[asOf] = fieldAsOf !== null && fieldAsOf > source.at ? fieldAsOf : source.at;
    }
    const newest = source.at >= row.last_event_at;
    if (applied.length === 0 && !newest) return applied;
    await trx
      .updateTable('customer_profiles')
      .set({
        ...(changes as Updateable<CustomerProfilesTable>),
        ...(newest ? { last_event_id: source.id, last_event_at: source.at } : {}),
        updated_at: new Date(),
      })
      .where('customer_id', '=', customerId)
      .execute();
    return applied;
  });
}

/**
 * Applies a customer.updated event field by field: each field the event carries changes unless
 * that field already holds a newer value, so replays and late arrivals cannot roll a field back and
 * an older partial update still sets what nothing newer touched. An opt-out (emailOptIn or smsOptIn
 * false) is never stale. Returns false when nothing in the event applied.
 */
export async function applyCustomerUpdated(db: Db, event: EventOf<'customer.updated'>): Promise<boolean> {
  const writes = writesOf(event.properties, isOptOut);
  const applied = await writeFields(db, event.customerId, writes, {
    id: event.eventId,
    at: new Date(event.occurredAt),
  });
  return applied.length > 0;
}

export async function findProfile(db: Db, customerId: string): Promise<Profile | null> {
  const row = await db
    .selectFrom('customer_profiles')
    .selectAll()
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
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
 * Withdraws consent for the channel(s) named by an unsubscribe, whenever it occurred: an opt-out is
 * never stale. (An opt-in given after the unsubscribe but delivered before it is the rare case this
 * errs on, on the side of not sending; replaying both in order ends opted in again.)
 */
export async function applyUnsubscribe(db: Db, event: EventOf<'customer.unsubscribed'>): Promise<boolean> {
  const channel = event.properties.channel;
  const consent: ProfileChanges = {
    ...(channel === 'email' || channel === 'all' ? { emailOptIn: false } : {}),
    ...(channel === 'sms' || channel === 'all' ? { smsOptIn: false } : {}),
  };
  const applied = await writeFields(
    db,
    event.customerId,
    writesOf(consent, () => true),
    { id: event.eventId, at: new Date(event.occurredAt) },
  );
  return applied.length > 0;
}

/**
 * An operator's change to a profile (docs/ADMIN.md). The fields given always apply and are as of
 * now: an event that occurred before the change cannot roll them back, one that occurs after it
 * applies. Fields not given keep their own freshness, so the change freezes nothing else.
 */
export async function applyOperatorChanges(
  db: Db,
  customerId: string,
  changes: ProfileChanges,
  changeId: string,
): Promise<void> {
  await writeFields(
    db,
    customerId,
    writesOf(changes, () => true),
    { id: changeId, at: new Date() },
  );
}
