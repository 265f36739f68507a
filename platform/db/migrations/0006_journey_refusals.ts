import { sql, type Kysely } from 'kysely';

/**
 * Entries the re-entry rules refused (cooldown, paused campaign, stale or too old), one row per
 * entry event: a replay of the topic months later finds its refusal and cannot admit it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('journey_refusals')
    .addColumn('campaign', 'text', (col) => col.notNull())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('journey_id', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('entry_event_at', 'timestamptz', (col) => col.notNull())
    .addColumn('refused_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('journey_refusals_pk', ['campaign', 'customer_id', 'journey_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('journey_refusals').execute();
}
