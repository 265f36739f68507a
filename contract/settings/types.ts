/**
 * Campaign settings as the workflows see them: plain numbers (milliseconds), no parsing. The
 * defaults live in contract/settings/defaults.ts; deployments and operators override them (see
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

export interface CartSettings extends JourneyMechanics {
  firstReminderDelayMs: number;
  secondReminderDelayMs: number;
  finalReminderDelayMs: number;
  cooldownMs: number;
  incentiveCode: string;
}

export interface BrowseSettings extends JourneyMechanics {
  emailDelayMs: number;
  maxRememberedProducts: number;
}

export interface ChurnSettings extends JourneyMechanics {
  threshold: number;
  /** From the day-0 email to the SMS offer. */
  offerDelayMs: number;
  /** From the SMS offer to the final email. */
  finalDelayMs: number;
}

export interface CampaignSettingsMap {
  'cart-abandonment': CartSettings;
  'browse-abandonment': BrowseSettings;
  'churn-retention': ChurnSettings;
}

export interface LoadedSettings<C extends keyof CampaignSettingsMap> {
  campaign: C;
  settings: CampaignSettingsMap[C];
  contact: ContactPolicySettings;
  version: number;
}
