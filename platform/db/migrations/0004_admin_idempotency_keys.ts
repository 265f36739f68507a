import { sql, type Kysely } from 'kysely';

/** Idempotency-Key records of the admin API: one row per key, holding the first request's response. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('admin_idempotency_keys')
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('admin_idempotency_keys_created_at')
    .on('admin_idempotency_keys')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('admin_idempotency_keys').execute();
}
