import { z } from 'zod';
import { eventPropertySchemas } from '../events';
import { DAY, DEFAULT_MECHANICS, duration, HOUR } from '../settings/mechanics';
import type { JourneyMechanics } from '../settings/types';
import { always, defineCampaign } from './definition';
import { CAMPAIGN_STEPS } from './steps';

export interface BrowseSettings extends JourneyMechanics {
  emailDelayMs: number;
  maxRememberedProducts: number;
}

const defaults: BrowseSettings = {
  ...DEFAULT_MECHANICS,
  maxEntryAgeMs: 1 * DAY,
  emailDelayMs: 2 * HOUR,
  maxRememberedProducts: 10,
};

/** Browse abandonment (workflows/browse-abandonment.ts): a product view starts it; a cart or an order ends it. */
export const browseAbandonment = defineCampaign({
  type: 'browse-abandonment',
  workflowType: 'browseAbandonmentWorkflow',
  title: 'Browse abandonment',
  label: 'browse journey',
  startsOn: { 'product.viewed': always },
  signals: { 'cart.updated': (event) => event.properties.items.length > 0, 'order.placed': always },
  settings: {
    defaults,
    overrides: {
      emailDelay: duration.optional(),
      maxRememberedProducts: z.number().int().min(1).max(50).optional(),
    },
    durations: ['emailDelay'],
  },
  start: {
    fields: { product: eventPropertySchemas['product.viewed'].strict() },
    entryEvent: (body, meta) => ({
      ...meta,
      customerId: body.customerId,
      type: 'product.viewed',
      properties: body.product,
    }),
  },
  templates: ['browse-reminder'],
  steps: CAMPAIGN_STEPS['browse-abandonment'],
  span: (settings) => settings.emailDelayMs,
});
