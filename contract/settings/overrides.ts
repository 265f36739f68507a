import { z } from 'zod';
import { timeZone } from '../schemas';
import {
  CAMPAIGN_TYPES,
  CAMPAIGNS,
  campaignDefinition,
  type CampaignSettingsMap,
  type CampaignType,
} from '../campaigns';
import type { ContactPolicySettings } from './types';
import { DEFAULT_CAMPAIGN_SETTINGS, DEFAULT_CONTACT_POLICY } from './defaults';
import { toVariantSpecs, variantsSchema } from './experiments';
import { duration, MECHANICS_DURATIONS, mechanicsOverrides } from './mechanics';

export { MIN_CONTINUE_AS_NEW_AFTER_EVENTS } from './mechanics';

/**
 * Settings overrides as people write them ("90s", "3 days"), validated and turned into the numbers
 * the workflows use. Layers, each overriding the one before: code defaults, the deployment's
 * CAMPAIGN_SETTINGS (JSON), then the operator's overrides stored in PostgreSQL.
 */

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected "HH:MM" (24-hour clock)');
const quietHours = z.object({ start: clock, end: clock }).strict().nullable();

/** One campaign's overrides: the mechanics every campaign takes, then its own (contract/campaigns/). */
const campaignOverridesSchema = <C extends CampaignType>(campaign: C) =>
  z
    .object({
      ...mechanicsOverrides,
      variants: variantsSchema(campaignDefinition(campaign)).optional(),
      ...campaignDefinition(campaign).settings.overrides,
    })
    .strict();
const campaignOverrides = Object.fromEntries(
  CAMPAIGN_TYPES.map((campaign) => [campaign, campaignOverridesSchema(campaign).optional()]),
) as { [C in CampaignType]: z.ZodOptional<ReturnType<typeof campaignOverridesSchema<C>>> };

export const settingsOverridesSchema = z
  .object({
    ...campaignOverrides,
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
function toMs(section: Record<string, unknown> | undefined, durationKeys: readonly string[]): Record<string, unknown> {
  if (!section) return {};
  return Object.fromEntries(
    Object.entries(section)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [durationKeys.includes(key) ? `${key}Ms` : key, value]),
  );
}

export function applyOverrides(base: ResolvedSettings, overrides: ParsedOverrides): ResolvedSettings {
  const contact = overrides.contact;
  return {
    campaigns: Object.fromEntries(
      CAMPAIGNS.map((campaign) => [
        campaign.type,
        {
          ...base.campaigns[campaign.type],
          ...toMs(overrides[campaign.type], [...MECHANICS_DURATIONS, ...campaign.settings.durations]),
          ...(overrides[campaign.type]?.variants
            ? { variants: toVariantSpecs(overrides[campaign.type]!.variants!) }
            : {}),
        },
      ]),
    ) as CampaignSettingsMap,
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
