import type { EmailSettings } from '../activities/email';
import { createTwilioClient, type SmsSettings } from '../activities/sms';
import { isSmsTemplate, renderEmail, renderSms } from '../activities/templates';
import { renderContext, type MessageLinks } from '../activities/templates/message';
import { SAMPLE_DATA } from '../activities/templates/samples';
import { CAMPAIGNS, type CampaignType } from '../contract/campaigns';
import type { TemplateId } from '../contract/templates';
import type { TemplateContent } from '../platform/db/templates';

/**
 * Test sends: a campaign's message rendered with sample content and the customer's first name, sent
 * straight to the address an operator gives. They bypass the delivery ledger on purpose: a test is
 * never counted against caps, never recorded as a journey's send, and never blocks a real one.
 */

export const CAMPAIGN_TEMPLATES = Object.fromEntries(
  CAMPAIGNS.map((campaign) => [campaign.type, campaign.templates]),
) as Record<CampaignType, readonly [TemplateId, ...TemplateId[]]>;

/** Test sends carry the sample content of previews, with an incentive code that cannot be redeemed. */
const SAMPLE = { ...SAMPLE_DATA, incentiveCode: 'TEST-ONLY' };

export interface TestSendRequest {
  campaign: CampaignType;
  customerId: string;
  template: TemplateId;
  to: string;
  firstName: string | null;
}

export interface TestSendResult {
  channel: 'email' | 'sms';
  providerMessageId: string;
}

export class ChannelNotConfiguredError extends Error {
  override readonly name = 'ChannelNotConfiguredError';
}

export interface TestSender {
  channelOf(template: TemplateId): 'email' | 'sms';
  send(request: TestSendRequest): Promise<TestSendResult>;
}

/** The content test sends render: the template's current stored version. */
export type CurrentTemplate = (template: TemplateId) => Promise<TemplateContent>;

export function createTestSender(
  email: EmailSettings,
  sms: SmsSettings | null,
  currentTemplate: CurrentTemplate,
  /** The placeholder unsubscribe link of previews: a test send creates no tracked link. */
  links: MessageLinks,
): TestSender {
  const twilio = sms ? createTwilioClient(sms) : null;
  const channelOf = (template: TemplateId) => (isSmsTemplate(template) ? ('sms' as const) : ('email' as const));
  return {
    channelOf,
    async send(request) {
      const content = { id: request.template, ...SAMPLE };
      const template = await currentTemplate(request.template);
      if (channelOf(request.template) === 'sms') {
        if (!sms || !twilio)
          throw new ChannelNotConfiguredError(
            'SMS is not configured on this deployment (set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM).',
          );
        const body = `[TEST] ${renderSms(content, renderContext('sms', links, request), template)}`;
        const message = await twilio.messages.create({
          to: request.to,
          body,
          ...(sms.from.startsWith('MG') ? { messagingServiceSid: sms.from } : { from: sms.from }),
        });
        return { channel: 'sms', providerMessageId: message.sid };
      }
      const rendered = renderEmail(content, renderContext('email', links, request), template);
      const info = await email.mailer.sendMail({
        from: email.from,
        to: request.to,
        subject: `[TEST] ${rendered.subject}`,
        text: rendered.text,
        html: rendered.html,
        headers: { 'X-Campaign': request.campaign, 'X-Campaign-Test': 'true' },
      });
      return { channel: 'email', providerMessageId: (info as { messageId?: string }).messageId ?? '' };
    },
  };
}
