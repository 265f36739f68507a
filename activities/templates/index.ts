import Handlebars from 'handlebars';
import type { CartItemView, ProductView, TemplateId, TemplateRequest } from '../../contract/templates';
import type { EmailTemplateContent, SmsTemplateContent, TemplateContent } from '../../platform/db/templates';
import { fitsOneSegment } from './sms-length';

/**
 * Every message a customer can receive, rendered with Handlebars: values are HTML-escaped in the
 * HTML part, lists are bounded ("+N more"), and every email carries an unsubscribe link.
 */

export interface RenderContext {
  firstName: string | null;
  unsubscribeUrl: string;
  storeUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const MAX_LISTED_ITEMS = 5;
export { SMS_GSM7_LIMIT, SMS_UCS2_LIMIT } from './sms-length';
/** Ends every SMS, never cut: what fits in one segment is decided around it. */
export const SMS_OPT_OUT = 'Reply STOP to opt out';

const hb = Handlebars.create();
hb.registerHelper('hello', (firstName: string | null) => (firstName ? `Hi ${firstName},` : 'Hi,'));

const listText = `{{#each items}}- {{quantity}} × {{name}} ({{price}})
{{/each}}{{#if more}}…and {{more}} more.
{{/if}}`;
const listHtml =
  `<ul>{{#each items}}<li>{{quantity}} × {{name}} ({{price}})</li>{{/each}}</ul>` +
  `{{#if more}}<p>…and {{more}} more.</p>{{/if}}`;
const productsText = `{{#each products}}- {{name}}{{#if price}} ({{price}}){{/if}}{{#if url}}: {{url}}{{/if}}
{{/each}}{{#if more}}…and {{more}} more.
{{/if}}`;
const productsHtml =
  `<ul>{{#each products}}<li>{{#if url}}<a href="{{url}}">{{name}}</a>{{else}}{{name}}{{/if}}` +
  `{{#if price}} ({{price}}){{/if}}</li>{{/each}}</ul>` +
  `{{#if more}}<p>…and {{more}} more.</p>{{/if}}`;
const footerText = `
--
You receive this because you agreed to hear from us. Unsubscribe: {{unsubscribeUrl}}
`;
const footerHtml =
  `<hr><p style="font-size:12px;color:#666">You receive this because you agreed to hear from us. ` +
  `<a href="{{unsubscribeUrl}}">Unsubscribe</a></p>`;

interface EmailTemplate {
  subject: string;
  text: string;
  html: string;
}

const emailTemplates: Record<Exclude<TemplateId, 'cart-sms' | 'churn-offer-sms'>, EmailTemplate> = {
  'cart-reminder': {
    subject: '{{#if firstName}}{{firstName}}, you{{else}}You{{/if}} left something in your cart',
    text: `{{hello firstName}}\n\nYou left these in your cart:\n${listText}\nYour cart is saved: {{storeUrl}}/cart\n`,
    html:
      `<p>{{hello firstName}}</p><p>You left these in your cart:</p>${listHtml}` +
      `<p><a href="{{storeUrl}}/cart">Back to your cart</a></p>`,
  },
  'cart-final': {
    subject: '{{#if firstName}}{{firstName}}, a{{else}}A{{/if}} little something to finish your order',
    text:
      `{{hello firstName}}\n\nYour cart is still waiting:\n${listText}\n` +
      `Use code {{incentiveCode}} for 10% off: {{storeUrl}}/cart\n`,
    html:
      `<p>{{hello firstName}}</p><p>Your cart is still waiting:</p>${listHtml}` +
      `<p>Use code <strong>{{incentiveCode}}</strong> for 10% off. ` +
      `<a href="{{storeUrl}}/cart">Finish your order</a></p>`,
  },
  'browse-reminder': {
    subject: '{{#if firstName}}{{firstName}}, still{{else}}Still{{/if}} thinking it over?',
    text: `{{hello firstName}}\n\nYou were looking at:\n${productsText}\nTake another look: {{storeUrl}}\n`,
    html:
      `<p>{{hello firstName}}</p><p>You were looking at:</p>${productsHtml}` +
      `<p><a href="{{storeUrl}}">Take another look</a></p>`,
  },
  'churn-winback': {
    subject: '{{#if firstName}}{{firstName}}, we{{else}}We{{/if}} miss you',
    text: `{{hello firstName}}\n\nIt has been a while. Here is what is new: {{storeUrl}}/new\n`,
    html: `<p>{{hello firstName}}</p><p>It has been a while. <a href="{{storeUrl}}/new">See what is new</a>.</p>`,
  },
  'churn-final': {
    subject: '{{#if firstName}}{{firstName}}, your{{else}}Your{{/if}} welcome-back offer ends soon',
    text:
      `{{hello firstName}}\n\nYour code {{incentiveCode}} still gives you 15% off, ` +
      `for a few more days: {{storeUrl}}\n`,
    html:
      `<p>{{hello firstName}}</p><p>Your code <strong>{{incentiveCode}}</strong> still gives you 15% off, ` +
      `for a few more days. <a href="{{storeUrl}}">Shop now</a></p>`,
  },
  'post-purchase-review': {
    subject: '{{#if firstName}}{{firstName}}, how{{else}}How{{/if}} is your order?',
    text:
      `{{hello firstName}}\n\nThank you for your order.{{#if items}} You bought:\n${listText}{{/if}}\n` +
      `Tell us what you think, it takes a minute: {{storeUrl}}/account/orders\n`,
    html:
      `<p>{{hello firstName}}</p><p>Thank you for your order.</p>{{#if items}}<p>You bought:</p>${listHtml}{{/if}}` +
      `<p><a href="{{storeUrl}}/account/orders">Tell us what you think</a>, it takes a minute.</p>`,
  },
  'post-purchase-cross-sell': {
    subject: '{{#if firstName}}{{firstName}}, picked{{else}}Picked{{/if}} to go with your order',
    text:
      `{{hello firstName}}\n\n{{#if items}}To go with what you bought:\n${listText}\n{{/if}}` +
      `We picked a few things you may like: {{storeUrl}}/recommended\n`,
    html:
      `<p>{{hello firstName}}</p>{{#if items}}<p>To go with what you bought:</p>${listHtml}{{/if}}` +
      `<p><a href="{{storeUrl}}/recommended">See what we picked for you</a></p>`,
  },
};

const smsTemplates: Record<'cart-sms' | 'churn-offer-sms', string> = {
  'cart-sms':
    '{{#if firstName}}{{firstName}}, your{{else}}Your{{/if}} cart ({{itemCount}} item{{#unless single}}s{{/unless}}) ' +
    'is saved: {{storeUrl}}/cart',
  'churn-offer-sms':
    '{{#if firstName}}{{firstName}}, we{{else}}We{{/if}} miss you! 15% off with code {{incentiveCode}}: {{storeUrl}}',
};

/** The built-in templates, whole (footer, HTML frame and opt-out included): each one's stored version 1. */
export function builtInTemplates(): Record<TemplateId, TemplateContent> {
  const emails = Object.entries(emailTemplates).map(([id, template]) => [
    id,
    {
      channel: 'email',
      subject: template.subject,
      text: template.text + footerText,
      html: `<!doctype html><html><body>${template.html}${footerHtml}</body></html>`,
    } satisfies EmailTemplateContent,
  ]);
  const texts = Object.entries(smsTemplates).map(([id, text]) => [
    id,
    { channel: 'sms', text: `${text} ${SMS_OPT_OUT}` } satisfies SmsTemplateContent,
  ]);
  return Object.fromEntries([...emails, ...texts]) as Record<TemplateId, TemplateContent>;
}

/** Every template ID the code knows, in the order of the lists above. */
export const TEMPLATE_IDS = [...Object.keys(emailTemplates), ...Object.keys(smsTemplates)] as [
  TemplateId,
  ...TemplateId[],
];

export function isTemplateId(id: string): id is TemplateId {
  return (TEMPLATE_IDS as string[]).includes(id);
}

function price(amount: number | undefined, currency: string | undefined): string | undefined {
  if (amount === undefined) return undefined;
  return currency ? new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount) : amount.toFixed(2);
}

function bounded<T>(list: T[]): { shown: T[]; more: number } {
  return { shown: list.slice(0, MAX_LISTED_ITEMS), more: Math.max(0, list.length - MAX_LISTED_ITEMS) };
}

function variables(request: TemplateRequest, context: RenderContext) {
  const items = bounded<CartItemView>(request.items ?? []);
  const products = bounded<ProductView>(request.products ?? []);
  return {
    ...context,
    incentiveCode: request.incentiveCode,
    items: items.shown.map((item) => ({ ...item, price: price(item.price, request.currency) })),
    products: products.shown.map((product) => ({
      ...product,
      price: price(product.price, product.currency),
      url: safeUrl(product.url),
    })),
    more: items.more || products.more,
    itemCount: request.items?.reduce((sum, item) => sum + item.quantity, 0) ?? 0,
    single: (request.items?.reduce((sum, item) => sum + item.quantity, 0) ?? 0) === 1,
  };
}

/** Only http(s) links reach a message. */
function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

export function isSmsTemplate(id: TemplateId): id is 'cart-sms' | 'churn-offer-sms' {
  return id in smsTemplates;
}

/**
 * Renders an email from a template's content (by default the built-in one). Subject and text are
 * plain text; the HTML part escapes every value.
 */
export function renderEmail(
  request: TemplateRequest,
  context: RenderContext,
  content: TemplateContent = builtInTemplates()[request.id],
): RenderedEmail {
  if (content.channel !== 'email') throw new Error(`"${request.id}" is not an email template`);
  const values = variables(request, context);
  return {
    subject: compiled(
      content.subject,
      PLAIN_TEXT,
    )(values)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    text: compiled(content.text, PLAIN_TEXT)(values),
    html: compiled(content.html, HTML)(values),
  };
}

/**
 * One SMS segment, the opt-out text always whole: a text too long (or made UCS-2, 70 per segment, by
 * a character in the name) loses the name first, then the end of what remains before the opt-out.
 * The template's text ends with the opt-out (validation insists); what precedes it is rendered.
 */
export function renderSms(
  request: TemplateRequest,
  context: RenderContext,
  content: TemplateContent = builtInTemplates()[request.id],
): string {
  return fitSms(smsBody(request, context, content), () => smsBody(request, { ...context, firstName: null }, content));
}

/** The SMS as its template writes it, before it is fitted into one segment. */
export function smsAsWritten(request: TemplateRequest, context: RenderContext, content: TemplateContent): string {
  return withOptOut(smsBody(request, context, content));
}

function smsBody(request: TemplateRequest, context: RenderContext, content: TemplateContent): string {
  if (content.channel !== 'sms') throw new Error(`"${request.id}" is not an SMS template`);
  return compiled(smsBodyOf(content.text), PLAIN_TEXT)(variables(request, context)).replace(/\s+/g, ' ').trim();
}

/** An SMS template's text without its closing opt-out. */
export function smsBodyOf(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed.endsWith(SMS_OPT_OUT) ? trimmed.slice(0, -SMS_OPT_OUT.length) : trimmed;
}

const withOptOut = (text: string) => (text ? `${text} ${SMS_OPT_OUT}` : SMS_OPT_OUT);

function fitSms(named: string, unnamed: () => string): string {
  const full = withOptOut(named);
  if (fitsOneSegment(full)) return full;
  const anonymous = unnamed();
  if (fitsOneSegment(withOptOut(anonymous))) return withOptOut(anonymous);
  const characters = [...anonymous];
  for (let keep = characters.length - 1; keep > 0; keep -= 1) {
    const cut = withOptOut(`${characters.slice(0, keep).join('').trimEnd()}...`);
    if (fitsOneSegment(cut)) return cut;
  }
  return SMS_OPT_OUT;
}

const PLAIN_TEXT = { noEscape: true } as const;
const HTML = { noEscape: false } as const;
/** Compiled templates by source: a stored version is compiled once, not at every send. */
const compiledCache = new Map<string, HandlebarsTemplateDelegate>();
const COMPILED_CACHE_SIZE = 500;

function compiled(source: string, options: { noEscape: boolean }): HandlebarsTemplateDelegate {
  const key = `${options.noEscape ? 'text' : 'html'}\u0000${source}`;
  let template = compiledCache.get(key);
  if (!template) {
    template = hb.compile(source, options);
    if (compiledCache.size >= COMPILED_CACHE_SIZE) compiledCache.delete(compiledCache.keys().next().value!);
    compiledCache.set(key, template);
  }
  return template;
}
