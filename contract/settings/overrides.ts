import { z } from 'zod';
import { durationMs, durationWithin, MAX_DURATION_MS, timeZone } from '../schemas';
import type { CampaignType } from '../journeys';
import type { CampaignSettingsMap, ContactPolicySettings } from './types';
import { DEFAULT_CAMPAIGN_SETTINGS, DEFAULT_CONTACT_POLICY } from './defaults';

/**
 * Settings overrides as people write them ("90s", "3 days"), validated and turned into the numbers
 * the workflows use. Layers, each overriding the one before: code defaults, the deployment's
 * CAMPAIGN_SETTINGS (JSON), then the operator's overrides stored in PostgreSQL.
 */

/** A duration as text ("90s", "3 days") or as milliseconds, from zero to a year. */
const duration = z.preprocess((value) => (typeof value === 'number' ? `${value}ms` : value), durationMs);
/** How often a paused journey looks again: a zero would spin the journey on its own timers. */
const recheckInterval = z.preprocess(
  (value) => (typeof value === 'number' ? `${value}ms` : value),
  durationWithin(1000, MAX_DURATION_MS),
);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (24-hour clock)');
const quietHours = z.object({ start: clock, end: clock }).strict().nullable();
/**
 * The fewest history events after which a journey continues as new. A fresh run writes some 15-20
 * events (settings, markers, the plan) before its first wait or hold checks; a threshold under that
 * would make each new run continue as new at once, again and again, without time passing.
 */
export const MIN_CONTINUE_AS_NEW_AFTER_EVENTS = 50;

const mechanics = {
  pauseRecheck: recheckInterval.optional(),
  maxEntryAge: duration.optional(),
  continueAsNewAfterEvents: z
    .number()
    .int()
    .min(
      MIN_CONTINUE_AS_NEW_AFTER_EVENTS,
      `at least ${MIN_CONTINUE_AS_NEW_AFTER_EVENTS} (a fresh run's own first events)`,
    )
    .max(50_000)
    .optional(),
};

export const settingsOverridesSchema = z
  .object({
    'cart-abandonment': z
      .object({
        ...mechanics,
        firstReminderDelay: duration.optional(),
        secondReminderDelay: duration.optional(),
        finalReminderDelay: duration.optional(),
        cooldown: duration.optional(),
        incentiveCode: z.string().min(1).max(40).optional(),
      })
      .strict()
      .optional(),
    'browse-abandonment': z
      .object({
        ...mechanics,
        emailDelay: duration.optional(),
        maxRememberedProducts: z.number().int().min(1).max(50).optional(),
      })
      .strict()
      .optional(),
    'churn-retention': z
      .object({
        ...mechanics,
        threshold: z.number().min(0).max(1).optional(),
        offerDelay: duration.optional(),
        finalDelay: duration.optional(),
      })
      .strict()
      .optional(),
    contact: z
      .object({
        frequencyCap: z.number().int().min(0).max(100).optional(),
        frequencyWindow: duration.optional(),
        quietHours: z.object({ email: quietHours.optional(), sms: quietHours.optional() }).strict().optional(),
        defaultTimezone: timeZone.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SettingsOverrides = z.input<typeof settingsOverridesSchema>;
type ParsedOverrides = z.output<typeof settingsOverridesSchema>;

export interface ResolvedSettings {
  campaigns: CampaignSettingsMap;
  contact: ContactPolicySettings;
}

/** Renames `fooDelay` style keys to the workflows' `fooDelayMs`, dropping unset values. */
function toMs(section: Record<string, unknown> | undefined, durationKeys: string[]): Record<string, unknown> {
  if (!section) return {};
  return Object.fromEntries(
    Object.entries(section)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [durationKeys.includes(key) ? `${key}Ms` : key, value]),
  );
}

export function applyOverrides(base: ResolvedSettings, overrides: ParsedOverrides): ResolvedSettings {
  const cart = overrides['cart-abandonment'];
  const browse = overrides['browse-abandonment'];
  const churn = overrides['churn-retention'];
  const contact = overrides.contact;
  return {
    campaigns: {
      'cart-abandonment': {
        ...base.campaigns['cart-abandonment'],
        ...toMs(cart, [
          'pauseRecheck',
          'maxEntryAge',
          'firstReminderDelay',
          'secondReminderDelay',
          'finalReminderDelay',
          'cooldown',
        ]),
      },
      'browse-abandonment': {
        ...base.campaigns['browse-abandonment'],
        ...toMs(browse, ['pauseRecheck', 'maxEntryAge', 'emailDelay']),
      },
      'churn-retention': {
        ...base.campaigns['churn-retention'],
        ...toMs(churn, ['pauseRecheck', 'maxEntryAge', 'offerDelay', 'finalDelay']),
      },
    },
    contact: {
      ...base.contact,
      ...toMs(
        {
          frequencyCap: contact?.frequencyCap,
          frequencyWindow: contact?.frequencyWindow,
          defaultTimezone: contact?.defaultTimezone,
        },
        ['frequencyWindow'],
      ),
      quietHours: {
        ...base.contact.quietHours,
        ...Object.fromEntries(Object.entries(contact?.quietHours ?? {}).filter(([, value]) => value !== undefined)),
      },
    },
  };
}

export class InvalidSettingsError extends Error {
  override readonly name = 'InvalidSettingsError';
}

/** Parses overrides, naming the offending setting on error. */
export function parseOverrides(raw: unknown, source: string): ParsedOverrides {
  const result = settingsOverridesSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new InvalidSettingsError(`Invalid campaign settings in ${source}: ${problems.join('; ')}`);
}

export const DEFAULT_SETTINGS: ResolvedSettings = {
  campaigns: DEFAULT_CAMPAIGN_SETTINGS,
  contact: DEFAULT_CONTACT_POLICY,
};

export function resolveSettings(layers: Array<{ source: string; overrides: unknown }>): ResolvedSettings {
  return layers.reduce(
    (settings, layer) => applyOverrides(settings, parseOverrides(layer.overrides, layer.source)),
    DEFAULT_SETTINGS,
  );
}

export type { CampaignType };
