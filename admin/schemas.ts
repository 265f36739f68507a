import { z } from 'zod';
import { eventPropertySchemas, identifierSchema } from '../contract/events';
import { campaignDefinition, CAMPAIGN_TYPES } from '../contract/campaigns';
import { settingsOverridesSchema } from '../contract/settings/overrides';
import { EXECUTION_STATUSES } from '../platform/temporal/journeys';
import { OUTCOMES, type CampaignType } from '../contract/journeys';

/** The request and response shapes of the admin API. They validate requests and generate /openapi.json. */

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const printable = /^[^\u0000-\u001f\u007f]+$/;

export const campaignSchema = z.enum(CAMPAIGN_TYPES).meta({ description: 'A campaign', example: 'cart-abandonment' });
export const customerIdSchema = identifierSchema.meta({
  description: "The customer's ID, as in the events",
  example: 'cust-1001',
});
const reasonSchema = z
  .string()
  .min(1)
  .max(500)
  .regex(printable, 'must not contain control characters')
  .meta({ description: "Why; recorded with the journey's outcome", example: 'customer complaint #4521' });

export const campaignParams = z.object({ campaign: campaignSchema });
export const customerParams = z.object({ customerId: customerIdSchema });
export const journeyParams = z.object({ campaign: campaignSchema, customerId: customerIdSchema });

export const cancelBody = z.object({ reason: reasonSchema }).strict();

const links = z.object({ self: z.string(), temporalUi: z.string() });

// ---- campaign settings ----

type OverrideScope = keyof typeof settingsOverridesSchema.shape;
/** One scope's overrides (a campaign, or the contact policy), as stored and as accepted. */
export const scopeOverridesSchema = <S extends OverrideScope>(scope: S) =>
  settingsOverridesSchema.shape[scope].unwrap();

export const settingsView = z.object({
  scope: z.string(),
  paused: z.boolean().optional(),
  version: z.int().meta({ description: 'Goes up by one on every change; send it back as expectedVersion' }),
  updatedAt: z.string().nullable(),
  overrides: z.record(z.string(), z.unknown()).meta({ description: 'What operators changed, as written' }),
  effective: z.record(z.string(), z.unknown()).meta({
    description:
      "The settings in force: defaults, the deployment's CAMPAIGN_SETTINGS, then the overrides (durations in ms)",
  }),
});

export const settingsUpdateBody = <S extends z.ZodType>(overrides: S) =>
  z
    .object({
      overrides,
      expectedVersion: z
        .int()
        .min(0)
        .max(2_147_483_647)
        .optional()
        .meta({ description: 'Fail with 409 if the settings changed since this version' }),
    })
    .strict();

export const resumeView = settingsView.extend({
  resumedJourneys: z.int().meta({ description: 'Held journeys told to go on' }),
});

// ---- journeys ----

export const journeySummarySchema = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    campaign: campaignSchema.nullable(),
    customerId: z.string().nullable(),
    status: z.string(),
    stage: z.string().nullable(),
    outcome: z.string().nullable(),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
  })
  .meta({ id: 'JourneySummary' });

export const journeyListQuery = z
  .object({
    customerId: customerIdSchema.optional(),
    campaign: campaignSchema.optional(),
    stage: z
      .string()
      .regex(/^[a-z0-9_-]{1,64}$/, 'expected a stage name such as "waiting_for_reminder_1"')
      .optional(),
    status: z.enum(EXECUTION_STATUSES).optional(),
    outcome: z.enum(OUTCOMES).optional(),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
    pageToken: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,4096}\.[A-Za-z0-9_-]{1,64}$/, 'expected the nextPageToken of a previous page')
      .optional(),
  })
  .strict();

export const journeyListView = z.object({
  journeys: z.array(journeySummarySchema),
  nextPageToken: z.string().nullable(),
  temporalUi: z.string().meta({ description: 'The same filter in the Temporal Web UI' }),
});

const timelineEntry = z.object({
  at: z.string(),
  kind: z.string().meta({
    description:
      'event, wait, message, skip, exit; or engagement: what became of a sent message (delivered, failed, ' +
      'bounced, opened, clicked), from the delivery ledger',
  }),
  text: z.string(),
});
const engagement = z.object({
  count: z.int(),
  first: z.string().nullable().meta({ description: 'The earliest, whatever order the reports arrived in' }),
});
export const journeyDetailView = z.object({
  journey: journeySummarySchema,
  state: z
    .object({
      journeyId: z.string().nullable(),
      stage: z.string(),
      outcome: z.string().nullable(),
      lastMessage: z.string().nullable(),
      messagesSent: z.int(),
      timeline: z.array(timelineEntry),
    })
    .nullable(),
  stateError: z
    .string()
    .optional()
    .meta({ description: 'Why the live state could not be read (no worker running, say)' }),
  refusedRuns: z
    .array(
      z.object({
        runId: z.string(),
        outcome: z.string().nullable(),
        startedAt: z.string(),
        closedAt: z.string().nullable(),
      }),
    )
    .meta({ description: 'Runs refused at admission (duplicate_entry, stale_event, cooldown…), newest first' }),
  messages: z.array(
    z.object({
      step: z.string(),
      channel: z.string(),
      state: z.string(),
      reason: z.string().nullable(),
      messageId: z.string().nullable(),
      templateId: z.string().nullable(),
      templateVersion: z.int().nullable().meta({ description: 'The template version the send rendered' }),
      createdAt: z.string(),
      sentAt: z.string().nullable(),
      deliveryStatus: z
        .enum(['delivered', 'failed', 'bounced', 'complained'])
        .nullable()
        .meta({ description: 'What the provider reported after accepting it; null until it reports' }),
      deliveryStatusAt: z.string().nullable(),
      deliveredAt: z.string().nullable(),
      deliveryError: z
        .string()
        .nullable()
        .meta({ description: "The provider's error code and reason (masked), for failed and bounced" }),
      opens: engagement.meta({ description: 'Opens counted by the tracking pixel' }),
      clicks: engagement.meta({ description: 'Clicks on tracked links' }),
    }),
  ),
  links,
});

export const startedView = z.object({
  workflowId: z.string(),
  runId: z.string(),
  campaign: campaignSchema,
  customerId: z.string(),
  links,
});
export const cancelledView = z.object({ workflowId: z.string(), cancelled: z.literal(true) });
export const customerCancelledView = z.object({ customerId: z.string(), cancelled: z.array(campaignSchema) });

/** An operator's start of one campaign's journey: the customer, the campaign's own fields, this journey's settings. */
const startBody = <C extends CampaignType>(campaign: C) =>
  z
    .object({
      customerId: customerIdSchema,
      ...campaignDefinition(campaign).start.fields,
      overrides: scopeOverridesSchema(campaign).optional(),
    })
    .strict();
export const startBodies = Object.fromEntries(CAMPAIGN_TYPES.map((campaign) => [campaign, startBody(campaign)])) as {
  [C in CampaignType]: ReturnType<typeof startBody<C>>;
};

// ---- customers ----

const profileFields = eventPropertySchemas['customer.updated'].shape;
export const profileView = z.object({
  customerId: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  firstName: z.string().nullable(),
  timezone: z.string().nullable(),
  emailOptIn: z.boolean(),
  smsOptIn: z.boolean(),
});
export const profileUpdateBody = z
  .object(profileFields)
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'give at least one field to change',
  })
  .meta({ minProperties: 1 });

// ---- test sends ----

export const testSendBody = (templates: readonly [string, ...string[]]) =>
  z
    .object({
      customerId: customerIdSchema,
      template: z
        .enum(templates)
        .meta({ description: "One of the campaign's templates; its channel decides what `to` must be" }),
      to: z.string().min(3).max(254).meta({
        description: 'An email address, or an E.164 phone number for SMS templates',
        example: 'qa@storefront.example',
      }),
    })
    .strict();
export const testSendView = z.object({
  channel: z.enum(['email', 'sms']),
  template: z.string(),
  providerMessageId: z.string(),
  countedAgainstCaps: z.literal(false),
});
