import type { Kysely } from 'kysely';

/** A STOP reply names a phone number: its customers are found without reading every profile. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('customer_profiles_by_phone').on('customer_profiles').column('phone').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('customer_profiles_by_phone').execute();
}
