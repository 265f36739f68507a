import { CAMPAIGNS, type CampaignSettingsMap } from '../campaigns';
import { HOUR } from './mechanics';
import type { ContactPolicySettings } from './types';

/** The product defaults of ../shared/DESIGN.md §4: each campaign's from its definition. */
export const DEFAULT_CAMPAIGN_SETTINGS = Object.fromEntries(
  CAMPAIGNS.map((campaign) => [campaign.type, campaign.settings.defaults]),
) as CampaignSettingsMap;

export const DEFAULT_CONTACT_POLICY: ContactPolicySettings = {
  frequencyCap: 1,
  frequencyWindowMs: 24 * HOUR,
  quietHours: { email: null, sms: { start: '21:00', end: '09:00' } },
  defaultTimezone: 'UTC',
};
