import { Gauge, type Registry } from 'prom-client';
import { CAMPAIGN_TYPES } from '../contract/campaigns';
import { DEFAULT_MECHANICS } from '../contract/settings/mechanics';
import { campaignCounts } from '../platform/db/campaign-counts';
import { loadCurrentSettings } from '../platform/db/current-settings';
import type { Db } from '../platform/db/database';
import type { Logger } from '../platform/logger';

const SCOPE = "journeys admitted within the campaign's current conversion window before the scrape";

/**
 * Each campaign's counts as gauges, read from PostgreSQL at each scrape (docs/EXPERIMENTS.md): the
 * gauges of one scrape share one load. Counts only; rates and revenue are in the report.
 */
export function registerCampaignGauges(registry: Registry, db: Db, deploymentOverrides: unknown, logger: Logger): void {
  let pending: Promise<Awaited<ReturnType<typeof campaignCounts>> | null> | null = null;
  const load = () =>
    (pending ??= (async () => {
      try {
        const { resolved } = await loadCurrentSettings(db, deploymentOverrides);
        return await campaignCounts(
          db,
          CAMPAIGN_TYPES.map((campaign) => ({
            campaign,
            conversionWindowMs: resolved.campaigns[campaign].conversionWindowMs ?? DEFAULT_MECHANICS.conversionWindowMs,
          })),
        );
      } catch (error) {
        logger.warn({ err: error }, 'campaign counts could not be read for the metrics');
        return null;
      } finally {
        setImmediate(() => {
          pending = null;
        });
      }
    })());

  new Gauge({
    name: 'campaign_journeys_entered',
    help: `Journeys by campaign and group (treatment, holdout): ${SCOPE}`,
    labelNames: ['campaign', 'group'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await load())?.journeys ?? [])
        this.set({ campaign: row.campaign, group: row.group }, row.entered);
    },
  });
  new Gauge({
    name: 'campaign_journeys_converted',
    help: `Journeys with an order attributed to them (docs/EXPERIMENTS.md), by campaign and group: ${SCOPE}`,
    labelNames: ['campaign', 'group'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await load())?.journeys ?? [])
        this.set({ campaign: row.campaign, group: row.group }, row.converted);
    },
  });
  new Gauge({
    name: 'campaign_messages',
    help: `Delivery ledger rows by campaign, group, step, channel and state (held out: skipped): ${SCOPE}`,
    labelNames: ['campaign', 'group', 'step', 'channel', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const { count, ...labels } of (await load())?.messages ?? []) this.set(labels, count);
    },
  });
}
