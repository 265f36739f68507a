import Handlebars from 'handlebars';

export interface CartReminderData {
  firstName: string | null;
  items: Array<{ productId: string; name: string; quantity: number; price: number }>;
  currency?: string | undefined;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const MAX_LISTED_ITEMS = 5;

const subject = Handlebars.compile('{{#if firstName}}{{firstName}}, you{{else}}You{{/if}} left something in your cart', { noEscape: true });
const text = Handlebars.compile(
  `Hi{{#if firstName}} {{firstName}}{{/if}},

You left these in your cart:
{{#each items}}
- {{quantity}} × {{name}} ({{price}})
{{/each}}
{{#if more}}
…and {{more}} more.
{{/if}}

Your cart is saved: come back whenever you are ready.
`, { noEscape: true });
const html = Handlebars.compile(
  `<p>Hi{{#if firstName}} {{firstName}}{{/if}},</p>
<p>You left these in your cart:</p>
<ul>
{{#each items}}  <li>{{quantity}} × {{name}} ({{price}})</li>
{{/each}}</ul>
{{#if more}}<p>…and {{more}} more.</p>{{/if}}
<p>Your cart is saved: come back whenever you are ready.</p>`);

function formatPrice(amount: number, currency: string | undefined): string {
  return currency ? new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount) : amount.toFixed(2);
}

/** Renders the cart reminder. Handlebars escapes every value in the HTML part. */
export function renderCartReminder(data: CartReminderData): RenderedEmail {
  const listed = data.items.slice(0, MAX_LISTED_ITEMS).map((item) => ({ ...item, price: formatPrice(item.price, data.currency) }));
  const context = { firstName: data.firstName, items: listed, more: Math.max(0, data.items.length - MAX_LISTED_ITEMS) };
  return { subject: subject(context).replace(/[\r\n]+/g, ' '), text: text(context), html: html(context) };
}
