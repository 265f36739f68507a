import { z } from 'zod';
import { durationWithin } from '../contract/schemas';
import { DAY, HOUR } from '../contract/settings/mechanics';

/** The campaign report's request and answer (docs/EXPERIMENTS.md#the-report). */

export const reportParams = z.object({
  campaign: z
    .string()
    .max(64)
    .meta({ description: 'A campaign; an unknown one is a 404', example: 'cart-abandonment' }),
});

const instant = (description: string) =>
  z.iso.datetime({ offset: true }).optional().meta({ description, example: '2026-06-01T00:00:00Z' });

export const reportQuery = z
  .object({
    from: instant('Journeys entered at or after this (ISO 8601); default 30 days before `to`'),
    to: instant('Journeys entered before this (ISO 8601); default now'),
    step: z
      .string()
      .regex(/^[a-z0-9-]{1,64}$/, 'expected a step name such as "reminder-1"')
      .optional()
      .meta({ description: "One of the campaign's steps: break the treated journeys down by its variant" }),
    variant: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'expected a variant name')
      .optional()
      .meta({ description: 'Only this variant of `step` (which it needs)' }),
    conversionWindow: durationWithin(HOUR, 90 * DAY)
      .optional()
      .meta({ description: 'Overrides the campaign\'s conversion window: text ("7 days") or milliseconds' }),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.variant !== undefined && query.step === undefined)
      ctx.addIssue({ code: 'custom', path: ['variant'], message: 'a variant needs the step it is a variant of' });
  });

const count = z.int().min(0);
const row = z.object({
  group: z.enum(['treatment', 'holdout']),
  variant: z.string().nullable().meta({ description: "The step's variant (`default`: none dealt); null for a group" }),
  entered: count.meta({ description: 'Journeys admitted in [from, to)' }),
  sent: count.meta({ description: 'Messages sent (the step only, when given)' }),
  delivered: count,
  opened: count,
  clicked: count,
  heldOut: count.meta({ description: 'Ledger rows skipped because the journey is held out' }),
  converted: count.meta({ description: 'Journeys with at least one order attributed to them' }),
  conversionRate: z.number().nullable().meta({ description: 'converted ÷ entered; null with no journeys' }),
  revenue: z
    .record(z.string(), z.string())
    .meta({ description: 'Attributed order totals by currency, never summed across currencies', example: {} }),
  ordersWithoutRevenue: count.meta({ description: 'Attributed orders without a total or a currency' }),
});

const difference = z.object({
  difference: z.number(),
  ci95: z.tuple([z.number(), z.number()]).nullable().meta({ description: 'The 95% confidence interval' }),
});
const estimate = {
  lift: z
    .object({
      conversionRate: difference.extend({
        relative: z.number().nullable().meta({ description: 'treatment rate ÷ holdout rate − 1 (point estimate)' }),
      }),
      revenuePerJourney: z.record(z.string(), difference).meta({ description: 'By currency' }),
    })
    .nullable()
    .meta({ description: 'Over the holdout (Welch two-sample t-test); null when a group is too small' }),
  note: z.string().nullable().meta({ description: 'Why there is no lift' }),
};

export const reportView = z
  .object({
    campaign: z.string(),
    from: z.string(),
    to: z.string(),
    conversionWindowMs: z.int(),
    conversionWindowFrom: z.enum(['settings', 'query']),
    holdoutShare: z.number().meta({ description: "The campaign's current holdout setting" }),
    step: z.string().nullable(),
    variant: z.string().nullable(),
    groups: z.array(row).meta({ description: 'The treatment and the holdout, always both' }),
    ...estimate,
    variants: z
      .array(row.extend(estimate))
      .nullable()
      .meta({ description: "With `step`: the treated journeys by the step's variant, each with its lift" }),
  })
  .meta({ id: 'CampaignReport' });

export type ReportView = z.infer<typeof reportView>;
export type ReportRow = z.infer<typeof row>;
