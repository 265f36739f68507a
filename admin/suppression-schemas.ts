import { z } from 'zod';
import { eventPropertySchemas } from '../contract/events';

/** The request and response shapes of the suppression list. */

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const printable = /^[^\u0000-\u001f\u007f]+$/;

const channelSchema = z.enum(['email', 'sms']).meta({ description: 'Where the address is reached' });
const addressSchema = z.string().min(3).max(254).regex(printable, 'must not contain control characters').meta({
  description: 'An email address (channel email; compared lower-cased) or an E.164 number (channel sms)',
  example: 'ann@storefront.example',
});
const noteSchema = z.string().min(1).max(500).regex(printable, 'must not contain control characters');

const addressFormats = {
  email: eventPropertySchemas['customer.updated'].shape.email.unwrap(),
  sms: eventPropertySchemas['customer.updated'].shape.phone.unwrap(),
};
const expected = {
  email: 'expected an email address for channel email',
  sms: 'expected an E.164 number such as "+14155550123" for channel sms',
};

/** An address must be of its channel's kind; the issue names `address`. */
function addressFitsChannel(
  value: { channel?: 'email' | 'sms' | undefined; address?: string | undefined },
  ctx: z.RefinementCtx,
) {
  if (value.channel === undefined || value.address === undefined) return;
  if (!addressFormats[value.channel].safeParse(value.address).success)
    ctx.addIssue({ code: 'custom', path: ['address'], message: expected[value.channel] });
}

export const suppressionIdParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, 'expected the id of a suppression, such as "42"')
    .meta({ description: 'The suppression, as listed' }),
});

export const suppressionListQuery = z
  .object({
    channel: channelSchema.optional(),
    address: addressSchema.optional(),
    includeLifted: z
      .stringbool()
      .default(false)
      .meta({ description: 'Also list suppressions already lifted (default false)' }),
    pageSize: z.coerce.number().int().min(1).max(500).default(100),
    afterId: suppressionIdParams.shape.id.optional().meta({ description: 'The `nextAfterId` of the previous page' }),
  })
  .strict()
  .superRefine(addressFitsChannel);

export const suppressionBody = z
  .object({
    channel: channelSchema,
    address: addressSchema,
    note: noteSchema
      .optional()
      .meta({ description: "Why; kept as the suppression's detail", example: 'asked by phone' }),
  })
  .strict()
  .superRefine(addressFitsChannel);

/** Optional: a lift may be posted without a body. */
export const liftBody = z
  .object({
    note: noteSchema.optional().meta({ description: 'Why it is lifted', example: 'the mailbox exists again' }),
  })
  .strict()
  .optional();

export const suppressionView = z
  .object({
    id: z.string(),
    channel: channelSchema,
    address: z.string(),
    reason: z.enum(['hard_bounce', 'complaint', 'carrier_opt_out', 'operator']),
    source: z.string().meta({ description: 'Who reported it: sendgrid, twilio, or admin' }),
    detail: z.string().nullable(),
    customerId: z.string().nullable(),
    messageId: z.string().nullable().meta({ description: 'The message whose feedback suppressed it' }),
    createdAt: z.string(),
    inForce: z.boolean(),
    liftedAt: z.string().nullable(),
    liftedBy: z.string().nullable(),
    liftNote: z.string().nullable(),
  })
  .meta({ id: 'Suppression' });

export const suppressionListView = z.object({
  suppressions: z.array(suppressionView),
  nextAfterId: z.string().nullable().meta({ description: 'Pass as afterId for the next page; null on the last' }),
});
