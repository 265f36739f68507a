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
    overrides: Object.fromEntries(rows.filter((row) => row.overrides && Object.keys(row.overrides).length > 0).map((row) => [row.scope, row.overrides])),
    paused: new Set(rows.filter((row) => row.paused).map((row) => row.scope)),
    versions: Object.fromEntries(rows.map((row) => [row.scope, row.version])),
  };
}

export async function isCampaignPaused(db: Db, campaign: string): Promise<boolean> {
  const row = await db.selectFrom('campaign_settings').select('paused').where('scope', '=', campaign).executeTakeFirst();
  return row?.paused ?? false;
}

export async function setCampaignPaused(db: Db, campaign: string, paused: boolean): Promise<void> {
  await db.insertInto('campaign_settings')
    .values({ scope: campaign, overrides: '{}', paused })
    .onConflict((conflict) => conflict.column('scope').doUpdateSet({ paused, version: sql<number>`campaign_settings.version + 1`, updated_at: sql<Date>`now()` }))
    .execute();
}

export async function saveOverrides(db: Db, scope: string, overrides: object): Promise<void> {
  const json = JSON.stringify(overrides);
  await db.insertInto('campaign_settings')
    .values({ scope, overrides: json })
    .onConflict((conflict) => conflict.column('scope').doUpdateSet({ overrides: json, version: sql<number>`campaign_settings.version + 1`, updated_at: sql<Date>`now()` }))
    .execute();
}
