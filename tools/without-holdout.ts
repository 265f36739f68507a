import { CAMPAIGN_TYPES } from '../contract/campaigns';

/**
 * Deployment overrides (CAMPAIGN_SETTINGS, as people write them) with no holdout in every campaign
 * that does not set its own: for runs whose checks expect every entering customer to be messaged
 * (tests, chaos, fuzz, benchmarks). The product default holds 10% out (docs/EXPERIMENTS.md).
 */
export function withoutHoldout(overrides: object = {}): Record<string, unknown> {
  const given = overrides as Record<string, Record<string, unknown> | undefined>;
  return {
    ...given,
    ...Object.fromEntries(CAMPAIGN_TYPES.map((campaign) => [campaign, { holdout: 0, ...given[campaign] }])),
  };
}
