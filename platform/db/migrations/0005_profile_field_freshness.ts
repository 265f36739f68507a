import { sql, type Kysely } from 'kysely';

const fields = ['email', 'phone', 'first_name', 'timezone', 'email_opt_in', 'sms_opt_in'] as const;

/**
 * A freshness time per profile field (`<field>_as_of`): each field of an update applies only when
 * it is at least as new as that field's value. Existing rows take the profile-wide last_event_at,
 * which is what guarded every field until now.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const field of fields) {
    await db.schema.alterTable('customer_profiles').addColumn(`${field}_as_of`, 'timestamptz').execute();
  }
  await sql`update customer_profiles set ${sql.join(
    fields.map((field) => sql`${sql.ref(`${field}_as_of`)} = last_event_at`),
  )}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const field of fields) {
    await db.schema.alterTable('customer_profiles').dropColumn(`${field}_as_of`).execute();
  }
}
