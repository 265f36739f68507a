import { z } from 'zod';
import { LAUNCH_STATES } from '../contract/campaign-workflows';
import type { CampaignType } from '../contract/journeys';
import { campaignSchema, customerIdSchema, startBodies } from './schemas';

/** The request and response shapes of launches and campaign-wide cancels. */

export const MAX_INLINE_AUDIENCE = 1_000;

/** One member of a launch's audience: the campaign's start body without per-journey overrides. */
export const audienceMemberSchema = (campaign: CampaignType): z.ZodType<{ customerId: string }> =>
  (startBodies[campaign] as z.ZodObject<{ customerId: typeof customerIdSchema; overrides: z.ZodOptional }>).omit({
    overrides: true,
  });

const rateSchema = z.coerce
  .number()
  .positive()
  .max(1_000)
  .meta({ description: 'Entries per second at most', example: 20 });
const startAtSchema = z.iso
  .datetime({ offset: true })
  .meta({ description: 'When to begin (ISO 8601); at once if absent', example: '2026-12-01T09:00:00Z' });

export const launchBody = (campaign: CampaignType) =>
  z
    .object({
      customers: z
        .array(audienceMemberSchema(campaign))
        .min(1)
        .max(MAX_INLINE_AUDIENCE)
        .optional()
        .meta({ description: "The audience, each member as the campaign's start body" }),
      customerIds: z
        .array(customerIdSchema)
        .min(1)
        .max(MAX_INLINE_AUDIENCE)
        .optional()
        .meta({ description: 'The audience as bare customer IDs, for campaigns that need nothing else' }),
      ratePerSecond: rateSchema.default(10),
      startAt: startAtSchema.optional(),
    })
    .strict();

export const uploadQuery = z
  .object({
    ratePerSecond: rateSchema.optional(),
    startAt: startAtSchema.optional(),
  })
  .strict()
  .meta({ description: 'For a JSONL upload: the rate and start time (a JSON body carries them itself)' });

export const launchParams = z.object({
  campaign: campaignSchema,
  launchId: z.uuid().meta({ description: 'A launch ID, as returned when it was created' }),
});

const totals = z.object({
  pending: z.int(),
  entered: z.int(),
  skipped: z.int(),
  failed: z.int(),
  reasons: z.record(z.string(), z.int()).meta({
    description: 'Skips and failures by reason: already_in_journey, no_consent, cooldown, stale_event…',
  }),
});

export const launchView = z.object({
  launchId: z.string(),
  campaign: campaignSchema,
  state: z.enum(LAUNCH_STATES).nullable().meta({ description: 'null when the launch workflow cannot be asked' }),
  ratePerSecond: z.number(),
  startAt: z.string().nullable(),
  source: z.enum(['inline', 'upload']),
  audienceSize: z.int().meta({ description: 'Distinct customers in the audience' }),
  duplicates: z.int().meta({ description: 'Lines that repeated a customer already listed (entered once)' }),
  totals,
  createdAt: z.string(),
  links: z.object({ self: z.string(), temporalUi: z.string() }),
});

export const launchListView = z.object({ launches: z.array(launchView.omit({ state: true, totals: true })) });

export const launchCancelBody = z
  .object({ reason: z.string().min(1).max(500).meta({ description: 'Why', example: 'wrong audience' }) })
  .strict();

export const campaignCancelBody = launchCancelBody;

export const cancellationView = z.object({
  campaign: campaignSchema,
  cancelledAt: z.string(),
  reason: z.string(),
  workflowId: z.string(),
  progress: z
    .object({
      state: z.enum(['cancelling', 'done', 'superseded']),
      passes: z.int(),
      told: z.int().meta({ description: 'Signals sent to running journeys, over every pass' }),
      stillRunning: z.int().nullable(),
    })
    .nullable(),
  links: z.object({ self: z.string(), temporalUi: z.string() }),
});

export const reopenedView = z.object({
  campaign: campaignSchema,
  reopened: z.boolean().meta({ description: 'false when the campaign was not cancelled' }),
});
