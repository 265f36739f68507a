import { loadStoredSettings } from './campaign-settings';
import type { Db } from './database';
import { resolveSettings, type ResolvedSettings } from '../../contract/settings/overrides';

/**
 * Code defaults, then the deployment's CAMPAIGN_SETTINGS, then the operator's overrides in
 * PostgreSQL, then (for one journey) the overrides it was started with.
 */
export async function loadCurrentSettings(
  db: Db,
  deploymentOverrides: unknown,
  journeyOverrides?: unknown,
): Promise<{ resolved: ResolvedSettings; versions: Record<string, number> }> {
  const stored = await loadStoredSettings(db);
  const resolved = resolveSettings([
    { source: 'CAMPAIGN_SETTINGS', overrides: deploymentOverrides ?? {} },
    { source: 'the campaign_settings table', overrides: stored.overrides },
    { source: "the journey's start request", overrides: journeyOverrides ?? {} },
  ]);
  return { resolved, versions: stored.versions };
}
