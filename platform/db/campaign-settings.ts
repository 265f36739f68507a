import { sql } from 'kysely';
import type { Db } from './database';

export interface StoredSettings {
  /** Overrides keyed by scope: a campaign name, or "contact". */
  overrides: Record<string, unknown>;
  paused: Set<string>;
  versions: Record<string, number>;
}

export async function loadStoredSettings(db: Db): Promise<StoredSettings> {
  const rows = await db.selectFrom('campaign_settings').selectAll().execute();
  return {
    overrides: Object.fromEntries(
      rows
        .filter((row) => row.overrides && Object.keys(row.overrides).length > 0)
        .map((row) => [row.scope, row.overrides]),
    ),
    paused: new Set(rows.filter((row) => row.paused).map((row) => row.scope)),
    versions: Object.fromEntries(rows.map((row) => [row.scope, row.version])),
  };
}

export async function isCampaignPaused(db: Db, campaign: string): Promise<boolean> {
  const row = await db
    .selectFrom('campaign_settings')
    .select('paused')
    .where('scope', '=', campaign)
    .executeTakeFirst();
  return row?.paused ?? false;
}

export interface CampaignCancellation {
  at: Date;
  reason: string;
}

/** Whether the campaign is paused and whether it is cancelled (and since when, and why). */
export async function campaignLifecycle(
  db: Db,
  campaign: string,
): Promise<{ paused: boolean; cancelled: CampaignCancellation | null }> {
  const row = await db
    .selectFrom('campaign_settings')
    .select(['paused', 'cancelled_at', 'cancel_reason'])
    .where('scope', '=', campaign)
    .executeTakeFirst();
  return {
    paused: row?.paused ?? false,
    cancelled: row?.cancelled_at ? { at: row.cancelled_at, reason: row.cancel_reason ?? '' } : null,
  };
}

/**
 * Cancels the campaign: from now on its entries are refused. Cancelling a cancelled campaign keeps
 * the first cancellation (its time and reason), which the journeys are already being told about.
 */
export async function cancelCampaign(db: Db, campaign: string, reason: string): Promise<CampaignCancellation> {
  await db
    .insertInto('campaign_settings')
    .values({ scope: campaign, overrides: '{}', cancelled_at: sql<Date>`now()`, cancel_reason: reason })
    .onConflict((conflict) =>
      conflict.column('scope').doUpdateSet({
        cancelled_at: sql<Date>`coalesce(campaign_settings.cancelled_at, now())`,
        cancel_reason: sql<string>`coalesce(campaign_settings.cancel_reason, ${reason})`,
        version: sql<number>`campaign_settings.version + 1`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
  const { cancelled } = await campaignLifecycle(db, campaign);
  return cancelled!;
}

/** Opens a cancelled campaign again; returns false when it was not cancelled. */
export async function reopenCampaign(db: Db, campaign: string): Promise<boolean> {
  const result = await db
    .updateTable('campaign_settings')
    .set({
      cancelled_at: null,
      cancel_reason: null,
      version: sql<number>`campaign_settings.version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('scope', '=', campaign)
    .where('cancelled_at', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setCampaignPaused(db: Db, campaign: string, paused: boolean): Promise<void> {
  await db
    .insertInto('campaign_settings')
    .values({ scope: campaign, overrides: '{}', paused })
    .onConflict((conflict) =>
      conflict
        .column('scope')
        .doUpdateSet({ paused, version: sql<number>`campaign_settings.version + 1`, updated_at: sql<Date>`now()` }),
    )
    .execute();
}

export interface ScopeSettings {
  overrides: Record<string, unknown>;
  paused: boolean;
  /** Goes up by one on every change; 0 until the scope is first changed. */
  version: number;
  updatedAt: Date | null;
}

export async function loadScopeSettings(db: Db, scope: string): Promise<ScopeSettings> {
  const row = await db.selectFrom('campaign_settings').selectAll().where('scope', '=', scope).executeTakeFirst();
  return row
    ? {
        overrides: (row.overrides ?? {}) as Record<string, unknown>,
        paused: row.paused,
        version: row.version,
        updatedAt: row.updated_at,
      }
    : { overrides: {}, paused: false, version: 0, updatedAt: null };
}

/**
 * Replaces a scope's stored overrides. With `expectedVersion`, only if nobody changed the scope in
 * between; returns false when someone did.
 */
export async function saveOverrides(
  db: Db,
  scope: string,
  overrides: object,
  expectedVersion?: number,
): Promise<boolean> {
  const json = JSON.stringify(overrides);
  if (expectedVersion === 0) {
    const inserted = await db
      .insertInto('campaign_settings')
      .values({ scope, overrides: json })
      .onConflict((conflict) => conflict.column('scope').doNothing())
      .executeTakeFirst();
    return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }
  const result = await db
    .insertInto('campaign_settings')
    .values({ scope, overrides: json })
    .onConflict((conflict) => {
      const update = conflict.column('scope').doUpdateSet({
        overrides: json,
        version: sql<number>`campaign_settings.version + 1`,
        updated_at: sql<Date>`now()`,
      });
      return expectedVersion === undefined ? update : update.where('campaign_settings.version', '=', expectedVersion);
    })
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}
