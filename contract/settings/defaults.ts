import type { CampaignSettingsMap, ContactPolicySettings } from './types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const mechanics = { pauseRecheckMs: 15 * 60_000, continueAsNewAfterEvents: 5_000 };

/** The product defaults of ../shared/DESIGN.md §4. */
export const DEFAULT_CAMPAIGN_SETTINGS: CampaignSettingsMap = {
  'cart-abandonment': {
    ...mechanics,
    maxEntryAgeMs: 1 * DAY,
    firstReminderDelayMs: 1 * HOUR,
    secondReminderDelayMs: 24 * HOUR,
    finalReminderDelayMs: 72 * HOUR,
    cooldownMs: 7 * DAY,
    incentiveCode: 'COMEBACK10',
  },
  'browse-abandonment': {
    ...mechanics,
    maxEntryAgeMs: 1 * DAY,
    emailDelayMs: 2 * HOUR,
    maxRememberedProducts: 10,
  },
  'churn-retention': {
    ...mechanics,
    maxEntryAgeMs: 7 * DAY,
    threshold: 0.7,
    offerDelayMs: 3 * DAY,
    finalDelayMs: 4 * DAY,
  },
};

export const DEFAULT_CONTACT_POLICY: ContactPolicySettings = {
  frequencyCap: 1,
  frequencyWindowMs: 24 * HOUR,
  quietHours: { email: null, sms: { start: '21:00', end: '09:00' } },
  defaultTimezone: 'UTC',
};
