import { sql, type Selectable } from 'kysely';
import type { Db } from './database';
import type { MessageTemplatesTable } from './schema';

/**
 * Versioned message templates. Versions are never changed or deleted: a save adds the next version
 * and moves the template's head to it; a rollback saves a copy of an older version the same way. So
 * the head is always the newest version, and a (template, version) pair recorded in the delivery
 * ledger names exactly the content that was sent.
 */

export interface EmailTemplateContent {
  channel: 'email';
  subject: string;
  text: string;
  html: string;
}

export interface SmsTemplateContent {
  channel: 'sms';
  text: string;
}

export type TemplateContent = EmailTemplateContent | SmsTemplateContent;

export interface TemplateVersion {
  templateId: string;
  version: number;
  content: TemplateContent;
  note: string | null;
  createdBy: string | null;
  createdAt: Date;
}

export interface TemplateHead {
  templateId: string;
  channel: TemplateContent['channel'];
  version: number;
  updatedAt: Date;
}

export const BUILT_IN_AUTHOR = 'built-in';

type Row = Selectable<MessageTemplatesTable>;

function contentOf(row: Row): TemplateContent {
  return row.channel === 'email'
    ? { channel: 'email', subject: row.subject ?? '', text: row.text, html: row.html ?? '' }
    : { channel: 'sms', text: row.text };
}

function versionOf(row: Row): TemplateVersion {
  return {
    templateId: row.template_id,
    version: row.version,
    content: contentOf(row),
    note: row.note,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

function columnsOf(content: TemplateContent) {
  return content.channel === 'email'
    ? { channel: content.channel, subject: content.subject, text: content.text, html: content.html }
    : { channel: content.channel, subject: null, text: content.text, html: null };
}

/**
 * Stores every built-in template that is not stored yet as its version 1 and points its head at
 * it. Templates already stored are left alone, whatever they now say: once seeded, the database is
 * the truth. Idempotent and safe to run from several processes at once.
 */
export async function seedBuiltInTemplates(db: Db, builtIns: Record<string, TemplateContent>): Promise<string[]> {
  const entries = Object.entries(builtIns);
  if (entries.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('message_templates')
      .values(
        entries.map(([templateId, content]) => ({
          template_id: templateId,
          version: 1,
          ...columnsOf(content),
          note: 'the template as built into the code',
          created_by: BUILT_IN_AUTHOR,
        })),
      )
      .onConflict((conflict) => conflict.columns(['template_id', 'version']).doNothing())
      .returning('template_id')
      .execute();
    await tx
      .insertInto('message_template_heads')
      .values(entries.map(([templateId]) => ({ template_id: templateId, version: 1 })))
      .onConflict((conflict) => conflict.column('template_id').doNothing())
      .execute();
    return inserted.map((row) => row.template_id);
  });
}

/** Every stored template's head, with its channel. */
export async function listTemplateHeads(db: Db): Promise<TemplateHead[]> {
  const rows = await db
    .selectFrom('message_template_heads as head')
    .innerJoin('message_templates as template', (join) =>
      join.onRef('template.template_id', '=', 'head.template_id').onRef('template.version', '=', 'head.version'),
    )
    .select(['head.template_id', 'head.version', 'head.updated_at', 'template.channel'])
    .orderBy('head.template_id')
    .execute();
  return rows.map((row) => ({
    templateId: row.template_id,
    channel: row.channel,
    version: row.version,
    updatedAt: row.updated_at,
  }));
}

/** The version a template's head points at, or null when the template is not stored. */
export async function loadCurrentTemplate(db: Db, templateId: string): Promise<TemplateVersion | null> {
  const row = await db
    .selectFrom('message_template_heads as head')
    .innerJoin('message_templates as template', (join) =>
      join.onRef('template.template_id', '=', 'head.template_id').onRef('template.version', '=', 'head.version'),
    )
    .selectAll('template')
    .where('head.template_id', '=', templateId)
    .executeTakeFirst();
  return row ? versionOf(row) : null;
}

export async function loadTemplateVersion(
  db: Db,
  templateId: string,
  version: number,
): Promise<TemplateVersion | null> {
  const row = await db
    .selectFrom('message_templates')
    .selectAll()
    .where('template_id', '=', templateId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? versionOf(row) : null;
}

/** A template's versions, newest first, without their content. */
export async function listTemplateVersions(db: Db, templateId: string): Promise<Omit<TemplateVersion, 'content'>[]> {
  const rows = await db
    .selectFrom('message_templates')
    .select(['template_id', 'version', 'note', 'created_by', 'created_at'])
    .where('template_id', '=', templateId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => ({
    templateId: row.template_id,
    version: row.version,
    note: row.note,
    createdBy: row.created_by,
    createdAt: row.created_at,
  }));
}

export type SaveResult =
  { kind: 'saved'; version: TemplateVersion } | { kind: 'conflict'; currentVersion: number } | { kind: 'not_found' };

/**
 * Saves `content` as the template's next version and makes it current, only if the current
 * version is still `expectedVersion` (the head row is locked while the new version is written).
 */
export async function saveTemplateVersion(
  db: Db,
  templateId: string,
  content: TemplateContent,
  options: { expectedVersion: number; note?: string | undefined; createdBy?: string | undefined },
): Promise<SaveResult> {
  return db.transaction().execute(async (tx) => {
    const head = await tx
      .selectFrom('message_template_heads')
      .select('version')
      .where('template_id', '=', templateId)
      .forUpdate()
      .executeTakeFirst();
    if (!head) return { kind: 'not_found' } as const;
    if (head.version !== options.expectedVersion) return { kind: 'conflict', currentVersion: head.version } as const;
    const next = head.version + 1;
    const row = await tx
      .insertInto('message_templates')
      .values({
        template_id: templateId,
        version: next,
        ...columnsOf(content),
        note: options.note ?? null,
        created_by: options.createdBy ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('message_template_heads')
      .set({ version: next, updated_at: sql<Date>`now()` })
      .where('template_id', '=', templateId)
      .execute();
    return { kind: 'saved', version: versionOf(row) } as const;
  });
}
