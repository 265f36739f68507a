import { sql, type Kysely } from 'kysely';

/**
 * Experiments (docs/EXPERIMENTS.md): each journey's group and step variants, recorded at admission,
 * and every order the storefront reports, for conversions and revenue within a campaign's window.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('journeys')
    .addColumn('treatment_group', 'text', (column) =>
      column
        .notNull()
        .defaultTo('treatment')
        .check(sql`treatment_group in ('treatment', 'holdout')`),
    )
    .addColumn('variants', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema
    .createIndex('journeys_by_campaign_and_entry')
    .on('journeys')
    .columns(['campaign', 'entered_at'])
    .execute();

  await db.schema
    .createTable('orders')
    .addColumn('order_id', 'text', (column) => column.primaryKey())
    .addColumn('customer_id', 'text', (column) => column.notNull())
    .addColumn('occurred_at', 'timestamptz', (column) => column.notNull())
    .addColumn('total', 'numeric(14, 2)')
    .addColumn('currency', 'text')
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addColumn('recorded_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('orders_by_customer').on('orders').columns(['customer_id', 'occurred_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('orders').execute();
  await db.schema.dropIndex('journeys_by_campaign_and_entry').execute();
  await db.schema.alterTable('journeys').dropColumn('variants').dropColumn('treatment_group').execute();
}
