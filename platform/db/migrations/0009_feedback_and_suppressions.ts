import { sql, type Kysely } from 'kysely';

/**
 * What happened after the send (docs/FEEDBACK.md): delivery and engagement per message on the
 * ledger, the feedback events already applied (so a duplicate changes nothing twice), the
 * suppression list checked with the frequency cap, and the tracked links a message carries.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('delivery_status', 'text', (col) =>
      col.check(sql`delivery_status in ('delivered', 'failed', 'bounced', 'complained')`),
    )
    .addColumn('delivery_error', 'text')
    .addColumn('delivery_status_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('first_opened_at', 'timestamptz')
    .addColumn('open_count', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('first_clicked_at', 'timestamptz')
    .addColumn('click_count', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('deliveries_by_message_id').on('deliveries').column('message_id').execute();
  await db.schema
    .createIndex('deliveries_by_provider_message_id')
    .on('deliveries')
    .column('provider_message_id')
    .execute();

  await db.schema
    .createTable('feedback_events')
    .addColumn('event_id', 'text', (col) => col.primaryKey())
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull())
    .addColumn('recorded_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('email', 'sms')`))
    /** A lower-cased email address or an E.164 number. */
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) =>
      col.notNull().check(sql`reason in ('hard_bounce', 'complaint', 'carrier_opt_out', 'operator')`),
    )
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('detail', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('lifted_at', 'timestamptz')
    .addColumn('lifted_by', 'text')
    .addColumn('lift_note', 'text')
    .execute();
  await db.schema
    .createIndex('suppressions_in_force')
    .on('suppressions')
    .columns(['channel', 'address'])
    .unique()
    .where(sql.ref('lifted_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('tracked_links')
    .addColumn('code', 'text', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('click', 'open', 'unsubscribe')`))
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('customer_id', 'text', (col) => col.notNull())
    .addColumn('campaign', 'text', (col) => col.notNull())
    .addColumn('step', 'text', (col) => col.notNull())
    .addColumn('journey_id', 'text', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('email', 'sms')`))
    /** Where a click goes: set for `click` only, never taken from a request. */
    .addColumn('url', 'text')
    /** What an unsubscribe withdraws: `email`, `sms` or `all`. */
    .addColumn('scope', 'text')
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('tracked_links_by_message').on('tracked_links').column('message_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tracked_links').execute();
  await db.schema.dropTable('suppressions').execute();
  await db.schema.dropTable('feedback_events').execute();
  await db.schema.dropIndex('deliveries_by_provider_message_id').execute();
  await db.schema.dropIndex('deliveries_by_message_id').execute();
  await db.schema
    .alterTable('deliveries')
    .dropColumn('delivery_status')
    .dropColumn('delivery_error')
    .dropColumn('delivery_status_at')
    .dropColumn('delivered_at')
    .dropColumn('first_opened_at')
    .dropColumn('open_count')
    .dropColumn('first_clicked_at')
    .dropColumn('click_count')
    .execute();
}
