import type { TemplateRequest } from '../../contract/templates';
import type { Channel } from '../../platform/db/schema';
import type { TemplateContent } from '../../platform/db/templates';
import { renderEmail, renderSms, type RenderContext, type RenderedEmail } from './index';

/**
 * What a message says for one recipient, built the same way for a journey's send and for an
 * operator's preview, so that the preview is what the send would be.
 */

export interface MessageLinks {
  storeUrl: string;
  /** A send's signed link (activities/link-tracking.ts); a preview's placeholder. */
  unsubscribeUrl: string;
}

export interface Recipient {
  firstName: string | null;
}

export type RenderedMessage = ({ channel: 'email' } & RenderedEmail) | { channel: 'sms'; text: string };

/** An SMS carries no unsubscribe link: its opt-out is the STOP reply. */
export function renderContext(channel: Channel, links: MessageLinks, recipient: Recipient): RenderContext {
  return {
    firstName: recipient.firstName,
    storeUrl: links.storeUrl,
    unsubscribeUrl: channel === 'email' ? links.unsubscribeUrl : '',
  };
}

export function renderMessage(
  request: TemplateRequest,
  content: TemplateContent,
  links: MessageLinks,
  recipient: Recipient,
): RenderedMessage {
  const context = renderContext(content.channel, links, recipient);
  return content.channel === 'email'
    ? { channel: 'email', ...renderEmail(request, context, content) }
    : { channel: 'sms', text: renderSms(request, context, content) };
}
