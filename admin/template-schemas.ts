import { z } from 'zod';
import { TEMPLATE_IDS } from '../activities/templates';
import { cartItemSchema, eventPropertySchemas, identifierSchema } from '../contract/events';

/** The request and response shapes of the template endpoints (admin/routes/templates.ts). */

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const printable = /^[^\u0000-\u001f\u007f]+$/;
const MAX_INT = 2_147_483_647;

export const templateIdSchema = z
  .enum(TEMPLATE_IDS)
  .meta({ description: 'A message template, as the campaigns name it', example: 'cart-reminder' });
const versionSchema = z.int().min(1).max(MAX_INT);

export const templateParams = z.object({ templateId: templateIdSchema });
export const templateVersionParams = z.object({
  templateId: templateIdSchema,
  version: z.coerce.number().int().min(1).max(MAX_INT).meta({ description: 'A version of the template' }),
});

const authorship = {
  note: z
    .string()
    .min(1)
    .max(500)
    .regex(printable, 'must not contain control characters')
    .optional()
    .meta({ description: 'Why this version, kept in the history', example: 'fix the typo in the greeting' }),
  createdBy: z
    .string()
    .min(1)
    .max(200)
    .regex(printable, 'must not contain control characters')
    .optional()
    .meta({ description: 'Who saved it, kept in the history', example: 'maria@storefront.example' }),
};

const expectedVersion = versionSchema.meta({
  description: 'The current version you edited; a 409 version_conflict if someone saved since',
});

export const templateSaveBody = z
  .object({
    expectedVersion,
    subject: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .meta({ description: 'Email only: the subject line (Handlebars, plain text)' }),
    text: z
      .string()
      .min(1)
      .max(20_000)
      .meta({
        description:
          'The plain-text email body, or the SMS text (Handlebars). An email body needs {{unsubscribeUrl}}; ' +
          'an SMS must end with "Reply STOP to opt out".',
      }),
    html: z
      .string()
      .min(1)
      .max(60_000)
      .optional()
      .meta({ description: 'Email only: the HTML body (Handlebars; values escaped; needs {{unsubscribeUrl}})' }),
    ...authorship,
  })
  .strict();

export const templateRollbackBody = z
  .object({
    version: versionSchema.meta({ description: 'The older version to make current again (saved as a new version)' }),
    expectedVersion,
    ...authorship,
  })
  .strict();

const productSchema = eventPropertySchemas['product.viewed']
  .pick({ productId: true, url: true, price: true, currency: true })
  .extend({ name: cartItemSchema.shape.name })
  .strict();

export const templatePreviewBody = z
  .object({
    version: versionSchema.optional().meta({ description: 'The version to render; the current one if absent' }),
    customerId: identifierSchema
      .optional()
      .meta({ description: 'A customer whose profile (first name) to render with; sample values if absent' }),
    data: z
      .object({
        items: z.array(cartItemSchema.strict()).max(200).optional(),
        currency: eventPropertySchemas['cart.updated'].shape.currency,
        products: z.array(productSchema).max(200).optional(),
        incentiveCode: z.string().min(1).max(40).regex(printable, 'must not contain control characters').optional(),
      })
      .strict()
      .optional()
      .meta({ description: 'What the journey would pass (cart items, products, incentive code); a sample if absent' }),
  })
  .strict();

const smsLengthView = z
  .array(
    z.object({
      sample: z.string(),
      encoding: z.enum(['GSM-7', 'UCS-2']),
      units: z.int().meta({ description: 'Septets (GSM-7) or UTF-16 code units (UCS-2) of the text as written' }),
      limit: z.int().meta({ description: 'What one segment holds in this encoding: 160 or 70' }),
      segments: z.int().meta({ description: 'Segments the text as written would take' }),
      shortened: z.boolean().meta({ description: 'Sends fit one segment: the name is dropped, then the text cut' }),
      sent: z.string().meta({ description: 'The text a send would carry' }),
    }),
  )
  .meta({ description: 'SMS only: the length per encoding, with a GSM-7 name and with a name that needs UCS-2' });

export const templateVersionView = z
  .object({
    templateId: z.string(),
    version: z.int(),
    channel: z.enum(['email', 'sms']),
    subject: z.string().optional(),
    text: z.string(),
    html: z.string().optional(),
    note: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'TemplateVersion' });

export const templateListView = z.object({
  templates: z.array(
    z.object({
      templateId: z.string(),
      channel: z.enum(['email', 'sms']),
      currentVersion: z.int(),
      updatedAt: z.string(),
    }),
  ),
});

export const templateDetailView = z.object({
  templateId: z.string(),
  channel: z.enum(['email', 'sms']),
  currentVersion: z.int().meta({ description: 'Send it back as expectedVersion' }),
  current: templateVersionView,
  versions: z.array(templateVersionView.omit({ subject: true, text: true, html: true })).meta({
    description: 'Every version, newest first',
  }),
  smsLength: smsLengthView.optional(),
});

export const templatePreviewView = z.object({
  templateId: z.string(),
  version: z.int(),
  channel: z.enum(['email', 'sms']),
  customerId: z.string().nullable(),
  firstName: z.string().nullable(),
  subject: z.string().optional(),
  text: z.string(),
  html: z.string().optional(),
  smsLength: smsLengthView.optional(),
});
