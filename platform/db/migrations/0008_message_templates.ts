import { sql, type Kysely } from 'kysely';

/**
 * Message templates as versioned rows an operator can edit: every save (and every rollback, which
 * copies an older version) is a new version; `message_template_heads` points at the one sends use.
 * Each delivery records the template and version it was rendered from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_templates')
    .addColumn('template_id', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull().check(sql`version > 0`))
    .addColumn('channel', 'text', (col) => col.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('subject', 'text')
    .addColumn('text', 'text', (col) => col.notNull())
    .addColumn('html', 'text')
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('message_templates_pk', ['template_id', 'version'])
    .addCheckConstraint(
      'message_templates_parts',
      sql`(channel = 'email' and subject is not null and html is not null)
        or (channel = 'sms' and subject is null and html is null)`,
    )
    .execute();
  await db.schema
    .createTable('message_template_heads')
    .addColumn('template_id', 'text', (col) => col.primaryKey())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('message_template_heads_version_fk', ['template_id', 'version'], 'message_templates', [
      'template_id',
      'version',
    ])
    .execute();
  await db.schema
    .alterTable('deliveries')
    .addColumn('template_id', 'text')
    .addColumn('template_version', 'integer')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('template_id').dropColumn('template_version').execute();
  await db.schema.dropTable('message_template_heads').execute();
  await db.schema.dropTable('message_templates').execute();
}
