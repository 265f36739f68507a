import type { CampaignSettingsMap } from '../campaigns';

/**
 * Campaign settings as the workflows see them: plain numbers (milliseconds), no parsing. The
 * defaults live in each campaign's definition (contract/campaigns/); deployments and operators override them (see
 * contract/settings/overrides.ts). Workflows receive them through an activity, never from the environment.
 */

export interface QuietHours {
  /** Local time "HH:MM" at which the quiet window starts (inclusive). */
  start: string;
  /** Local time "HH:MM" at which sending may resume. */
  end: string;
}

export interface ContactPolicySettings {
  /** At most this many marketing messages per customer and channel within the window. */
  frequencyCap: number;
  frequencyWindowMs: number;
  quietHours: { email: QuietHours | null; sms: QuietHours | null };
  /** Used when the profile carries no time zone. */
  defaultTimezone: string;
}

export interface JourneyMechanics {
  /** How often a journey held by a paused campaign checks again, if no resume signal arrives. */
  pauseRecheckMs: number;
  /**
   * An entry event older than this when its journey would start is refused as stale (a replayed
   * topic, a backlog): a reminder for a months-old cart is worse than none. Absent in settings
   * recorded before it existed.
   */
  maxEntryAgeMs?: number;
  /** History length after which a journey continues as new even before Temporal suggests it. */
  continueAsNewAfterEvents: number;
}

/** Each campaign's settings, from its definition in contract/campaigns/. */
export type { CampaignSettingsMap } from '../campaigns';

export interface LoadedSettings<C extends keyof CampaignSettingsMap> {
  campaign: C;
  settings: CampaignSettingsMap[C];
  contact: ContactPolicySettings;
  version: number;
}
