import { z } from 'zod';
import { cartItemSchema, eventPropertySchemas } from '../events';
import { DAY, DEFAULT_MECHANICS, duration } from '../settings/mechanics';
import type { JourneyMechanics } from '../settings/types';
import { always, defineCampaign } from './definition';
import { CAMPAIGN_STEPS } from './steps';

export interface PostPurchaseSettings extends JourneyMechanics {
  /** From the order to the review request. */
  reviewRequestDelayMs: number;
  /** From the review request to the cross-sell email. */
  crossSellDelayMs: number;
  cooldownMs: number;
}

const defaults: PostPurchaseSettings = {
  ...DEFAULT_MECHANICS,
  maxEntryAgeMs: 1 * DAY,
  reviewRequestDelayMs: 3 * DAY,
  crossSellDelayMs: 7 * DAY,
  cooldownMs: 30 * DAY,
};

const order = eventPropertySchemas['order.placed'].shape;

/** Post-purchase (workflows/post-purchase.ts): an order starts it; a review request, then a cross-sell email. */
export const postPurchase = defineCampaign({
  type: 'post-purchase',
  workflowType: 'postPurchaseWorkflow',
  title: 'Post-purchase',
  label: 'post-purchase journey',
  startsOn: { 'order.placed': always },
  signals: {},
  settings: {
    defaults,
    overrides: {
      reviewRequestDelay: duration.optional(),
      crossSellDelay: duration.optional(),
      cooldown: duration.optional(),
    },
    durations: ['reviewRequestDelay', 'crossSellDelay', 'cooldown'],
  },
  start: {
    fields: {
      orderId: order.orderId.optional(),
      items: z.array(cartItemSchema).max(200).optional(),
      total: order.total,
      currency: order.currency,
    },
    entryEvent: (body, meta) => ({
      ...meta,
      customerId: body.customerId,
      type: 'order.placed',
      properties: {
        orderId: body.orderId ?? `admin-order-${meta.eventId}`,
        items: body.items,
        total: body.total,
        currency: body.currency,
      },
    }),
  },
  templates: ['post-purchase-review', 'post-purchase-cross-sell'],
  steps: CAMPAIGN_STEPS['post-purchase'],
  span: (settings) => settings.reviewRequestDelayMs + settings.crossSellDelayMs,
});
