import { eventPropertySchemas } from '../../contract/events';
import { findProfile } from '../../platform/db/profiles';
import { maskEmail, maskPhone, maskPiiInText } from '../../platform/pii';
import { CAMPAIGN_TYPES } from '../../contract/campaigns';
import type { AdminDependencies } from '../dependencies';
import { HttpError } from '../errors';
import { route, type Route } from '../route';
import { testSendBody, testSendView } from '../schemas';
import { CAMPAIGN_TEMPLATES, ChannelNotConfiguredError } from '../test-sender';
import type { TemplateId } from '../../contract/templates';
import { pascal } from './campaigns';

const addressSchemas = {
  email: eventPropertySchemas['customer.updated'].shape.email.unwrap(),
  sms: eventPropertySchemas['customer.updated'].shape.phone.unwrap(),
};

/** Test sends of a campaign's messages, outside every journey, cap and ledger. */
export function testSendRoutes(deps: AdminDependencies): Route[] {
  return CAMPAIGN_TYPES.map((campaign) =>
    route({
      method: 'post',
      path: `/campaigns/${campaign}/test-sends`,
      operationId: `testSend${pascal(campaign)}`,
      tag: 'Campaigns',
      summary: `Send a test of a ${campaign} message to an address you give`,
      description:
        `Templates: ${CAMPAIGN_TEMPLATES[campaign].join(', ')}. ` +
        `Rendered with sample content and the customer's first name. ` +
        `Never counted against caps or recorded as a journey's send.`,
      body: testSendBody(CAMPAIGN_TEMPLATES[campaign]),
      responses: { 200: { description: 'The provider took the message', schema: testSendView } },
      errors: {
        409: "The template's channel is not configured on this deployment.",
        502: 'The email or SMS provider refused the message.',
      },
      handle: async ({ body }) => {
        const template = body.template as TemplateId;
        const channel = deps.testSender.channelOf(template);
        if (!addressSchemas[channel].safeParse(body.to).success) {
          throw new HttpError(
            400,
            'invalid_request',
            `to: expected ` +
              `${channel === 'email' ? 'an email address' : 'an E.164 phone number such as "+14155550123"'}` +
              ` for the ${channel} template ${template}`,
            { field: 'to', in: 'body' },
          );
        }
        const profile = await findProfile(deps.db, body.customerId);
        try {
          const sent = await deps.testSender.send({
            campaign,
            customerId: body.customerId,
            template,
            to: body.to,
            firstName: profile?.firstName ?? null,
          });
          return { status: 200, body: { ...sent, template, countedAgainstCaps: false } };
        } catch (error) {
          if (error instanceof ChannelNotConfiguredError)
            throw new HttpError(409, 'channel_not_configured', error.message, { field: 'template', in: 'body' });
          const masked = channel === 'email' ? maskEmail(body.to) : maskPhone(body.to);
          throw new HttpError(
            502,
            'delivery_failed',
            `The ${channel} provider did not take the test message to ${masked}: ` +
              `${maskPiiInText((error as Error).message)}`,
          );
        }
      },
    }),
  );
}
