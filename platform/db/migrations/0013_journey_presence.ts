import { sql, type Kysely } from 'kysely';

/**
 * Which customers' journeys may be running (docs/JOURNEYS.md, *Signalling only journeys that may
 * run*): a row is written before every start, so that an event which only signals a running journey
 * need not ask Temporal when there is none. The generation, from a sequence, changes with every
 * write, so a row is only ever forgotten as it was read. The backfill row says the journeys running
 * before this record were added to it; until then nobody trusts a missing row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence journey_presence_generation`.execute(db);
  await db.schema
    .createTable('journey_presence')
    .addColumn('campaign', 'text', (col) => col.notNull())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('generation', 'bigint', (col) => col.notNull().defaultTo(sql`nextval('journey_presence_generation')`))
    .addColumn('marked_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('journey_presence_pk', ['campaign', 'customer_id'])
    .execute();
  await db.schema
    .createTable('journey_presence_backfill')
    .addColumn('id', 'boolean', (col) =>
      col
        .primaryKey()
        .defaultTo(true)
        .check(sql`id`),
    )
    .addColumn('completed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('journey_presence_backfill').execute();
  await db.schema.dropTable('journey_presence').execute();
  await sql`drop sequence journey_presence_generation`.execute(db);
}
