/**
 * Each campaign's steps as its workflow sends them, in order, with the duration setting each waits
 * for. They live apart from the definitions because the workflows need them: this module imports
 * nothing at run time, so the workflow bundle, which evaluates its modules afresh for every journey,
 * never builds the definitions' zod schemas (docs/PERFORMANCE.md). A definition takes its steps from
 * here, and the compiler checks each `delay` against the campaign's overrides.
 */
export interface CampaignStep {
  name: string;
  channels: readonly string[];
  /** The duration setting it waits for (`offerDelay`, given to the workflow as `offerDelayMs`); none: sent at once. */
  delay?: string;
}

export const CAMPAIGN_STEPS = {
  'cart-abandonment': [
    { name: 'reminder-1', channels: ['email'], delay: 'firstReminderDelay' },
    { name: 'reminder-2', channels: ['sms', 'email'], delay: 'secondReminderDelay' },
    { name: 'final', channels: ['email'], delay: 'finalReminderDelay' },
  ],
  'browse-abandonment': [{ name: 'browse-email', channels: ['email'], delay: 'emailDelay' }],
  'churn-retention': [
    { name: 'day-0', channels: ['email'] },
    { name: 'day-3', channels: ['sms'], delay: 'offerDelay' },
    { name: 'day-7', channels: ['email'], delay: 'finalDelay' },
  ],
  'post-purchase': [
    { name: 'review-request', channels: ['email'], delay: 'reviewRequestDelay' },
    { name: 'cross-sell', channels: ['email'], delay: 'crossSellDelay' },
  ],
} as const satisfies Record<string, readonly CampaignStep[]>;
