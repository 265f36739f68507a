import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customer_profiles')
    .addColumn('customer_id', 'text', (col) => col.primaryKey())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('first_name', 'text')
    .addColumn('timezone', 'text')
    .addColumn('email_opt_in', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('sms_opt_in', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('last_event_id', 'text', (col) => col.notNull())
    .addColumn('last_event_at', 'timestamptz', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('idempotency_key', 'text', (col) => col.primaryKey())
    .addColumn('campaign', 'text', (col) => col.notNull())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('step', 'text', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('state', 'text', (col) =>
      col.notNull().check(sql`state in ('sending', 'sent', 'skipped', 'failed', 'unknown')`),
    )
    .addColumn('reason', 'text')
    .addColumn('message_id', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();

  await db.schema
    .createIndex('deliveries_customer_idx')
    .on('deliveries')
    .columns(['customer_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('deliveries').execute();
  await db.schema.dropTable('customer_profiles').execute();
}
