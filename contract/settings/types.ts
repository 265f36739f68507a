import type { CampaignSettingsMap } from '../campaigns';
import type { TemplateId } from '../templates';

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
  /*
   * How the campaign measures itself (docs/EXPERIMENTS.md). Absent in settings recorded before
   * experiments existed: such a journey is treated and has no variants.
   */
  /** The share of entering customers held out (sent nothing), 0 to 0.5. */
  holdout?: number;
  /** Mixed into the assignment hash: changing it deals every customer again. */
  assignmentSalt?: string;
  /** An order up to this long after a journey's entry event counts as its conversion. */
  conversionWindowMs?: number;
  /** Variants by step name; a step without variants is sent as its campaign defines it. */
  variants?: Record<string, VariantSpec[]>;
}

/** One variant of a step, as the workflows see it: what it changes, and its weight among the treated. */
export interface VariantSpec {
  name: string;
  weight: number;
  channel?: 'email' | 'sms';
  template?: TemplateId;
  delayMs?: number;
}

/** Each campaign's settings, from its definition in contract/campaigns/. */
export type { CampaignSettingsMap } from '../campaigns';

export interface LoadedSettings<C extends keyof CampaignSettingsMap> {
  campaign: C;
  settings: CampaignSettingsMap[C];
  contact: ContactPolicySettings;
  version: number;
}
