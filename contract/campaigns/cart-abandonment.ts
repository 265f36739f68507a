import { z } from 'zod';
import { cartItemSchema, eventPropertySchemas } from '../events';
import { DAY, DEFAULT_MECHANICS, duration, HOUR } from '../settings/mechanics';
import type { JourneyMechanics } from '../settings/types';
import { always, defineCampaign } from './definition';
import { CAMPAIGN_STEPS } from './steps';

export interface CartSettings extends JourneyMechanics {
  firstReminderDelayMs: number;
  secondReminderDelayMs: number;
  finalReminderDelayMs: number;
  cooldownMs: number;
  incentiveCode: string;
}

const defaults: CartSettings = {
  ...DEFAULT_MECHANICS,
  maxEntryAgeMs: 1 * DAY,
  firstReminderDelayMs: 1 * HOUR,
  secondReminderDelayMs: 24 * HOUR,
  finalReminderDelayMs: 72 * HOUR,
  cooldownMs: 7 * DAY,
  incentiveCode: 'COMEBACK10',
};

const cart = eventPropertySchemas['cart.updated'].shape;

/** Cart abandonment (workflows/cart-abandonment.ts): a cart with items starts it, an order ends it. */
export const cartAbandonment = defineCampaign({
  type: 'cart-abandonment',
  workflowType: 'cartAbandonmentWorkflow',
  title: 'Cart abandonment',
  label: 'cart journey',
  startsOn: { 'cart.updated': (event) => event.properties.items.length > 0 },
  signals: { 'cart.updated': always, 'order.placed': always },
  settings: {
    defaults,
    overrides: {
      firstReminderDelay: duration.optional(),
      secondReminderDelay: duration.optional(),
      finalReminderDelay: duration.optional(),
      cooldown: duration.optional(),
      incentiveCode: z.string().min(1).max(40).optional(),
    },
    durations: ['firstReminderDelay', 'secondReminderDelay', 'finalReminderDelay', 'cooldown'],
  },
  start: {
    fields: {
      cartId: cart.cartId.optional(),
      items: z.array(cartItemSchema).min(1).max(200),
      currency: cart.currency,
    },
    entryEvent: (body, meta) => ({
      ...meta,
      customerId: body.customerId,
      type: 'cart.updated',
      properties: { cartId: body.cartId ?? `admin-cart-${meta.eventId}`, items: body.items, currency: body.currency },
    }),
  },
  templates: ['cart-reminder', 'cart-sms', 'cart-final'],
  steps: CAMPAIGN_STEPS['cart-abandonment'],
  span: (settings) => settings.firstReminderDelayMs + settings.secondReminderDelayMs + settings.finalReminderDelayMs,
});
