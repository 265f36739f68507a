import { sql, type Kysely } from 'kysely';

/**
 * A campaign can be cancelled (new entries refused, running journeys ended) and reopened; a launch
 * enters an audience into a campaign, one row per customer so that each is entered at most once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('campaign_settings')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancel_reason', 'text')
    .execute();

  await db.schema
    .createTable('launches')
    .addColumn('launch_id', 'text', (col) => col.primaryKey())
    .addColumn('campaign', 'text', (col) => col.notNull())
    .addColumn('rate_per_second', 'double precision', (col) => col.notNull())
    .addColumn('start_at', 'timestamptz')
    .addColumn('audience_size', 'integer', (col) => col.notNull())
    .addColumn('duplicates', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('launches_by_campaign').on('launches').columns(['campaign', 'created_at']).execute();

  await db.schema
    .createTable('launch_audience')
    .addColumn('launch_id', 'text', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('entry', 'jsonb', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    .addColumn('reason', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('launch_audience_pk', ['launch_id', 'customer_id'])
    .execute();
  await db.schema
    .createIndex('launch_audience_by_position')
    .on('launch_audience')
    .columns(['launch_id', 'position'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('launch_audience').execute();
  await db.schema.dropTable('launches').execute();
  await db.schema.alterTable('campaign_settings').dropColumn('cancel_reason').dropColumn('cancelled_at').execute();
}
