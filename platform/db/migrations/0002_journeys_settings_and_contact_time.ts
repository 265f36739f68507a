import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('campaign_settings')
    .addColumn('scope', 'text', (col) => col.primaryKey())
    .addColumn('overrides', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('paused', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('journeys')
    .addColumn('campaign', 'text', (col) => col.notNull())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('journey_id', 'text', (col) => col.notNull())
    .addColumn('entry_event_at', 'timestamptz', (col) => col.notNull())
    .addColumn('entered_at', 'timestamptz', (col) => col.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('messages_sent', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_message_at', 'timestamptz')
    .addPrimaryKeyConstraint('journeys_pk', ['campaign', 'customer_id', 'journey_id'])
    .execute();
  await db.schema
    .createIndex('journeys_customer_idx')
    .on('journeys')
    .columns(['customer_id', 'campaign', 'entered_at'])
    .execute();

  // The time of the contact in the journey's own clock (Temporal workflow time), which caps count in.
  await db.schema.alterTable('deliveries').addColumn('contact_at', 'timestamptz').execute();
  await db.schema
    .createIndex('deliveries_contact_idx')
    .on('deliveries')
    .columns(['customer_id', 'channel', 'contact_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_contact_idx').execute();
  await db.schema.alterTable('deliveries').dropColumn('contact_at').execute();
  await db.schema.dropTable('journeys').execute();
  await db.schema.dropTable('campaign_settings').execute();
}
