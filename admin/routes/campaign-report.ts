import { CAMPAIGN_TYPES, campaignDefinition, type CampaignType } from '../../contract/campaigns';
import { DAY, DEFAULT_MECHANICS } from '../../contract/settings/mechanics';
import { campaignReportCounts } from '../../platform/db/campaign-report';
import { loadCurrentSettings } from '../../platform/db/current-settings';
import { reportRows } from '../campaign-report';
import type { AdminDependencies } from '../dependencies';
import { HttpError } from '../errors';
import { route, type Route } from '../route';
import { reportParams, reportQuery, reportView } from '../report-schemas';

const DEFAULT_RANGE_MS = 30 * DAY;

const invalidQuery = (field: string, message: string) =>
  new HttpError(400, 'invalid_request', `query ${field}: ${message}`, { field, in: 'query' });

/** What each campaign earns: its treatment against its holdout (docs/EXPERIMENTS.md#the-report). */
export function campaignReportRoutes(deps: AdminDependencies): Route[] {
  return [
    route({
      method: 'get',
      path: '/campaigns/{campaign}/report',
      operationId: 'getCampaignReport',
      tag: 'Campaigns',
      summary: "A campaign's journeys, messages, conversions and revenue by group, with the lift over the holdout",
      description:
        'Journeys admitted in [from, to). An order counts for a journey when it comes after the entry event and ' +
        'at most the conversion window after it, for the latest-entered such journey of the campaign.',
      params: reportParams,
      query: reportQuery,
      responses: { 200: { description: 'The report', schema: reportView } },
      errors: { 404: 'No such campaign.' },
      handle: async ({ params, query }) => {
        if (!(CAMPAIGN_TYPES as readonly string[]).includes(params.campaign))
          throw new HttpError(404, 'not_found', `No campaign ${params.campaign}.`, { field: 'campaign', in: 'path' });
        const campaign = params.campaign as CampaignType;
        const steps = campaignDefinition(campaign).steps.map((step) => step.name);
        if (query.step !== undefined && !steps.includes(query.step))
          throw invalidQuery('step', `${campaign} has no step "${query.step}" (its steps: ${steps.join(', ')})`);
        const to = query.to === undefined ? new Date() : new Date(query.to);
        const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_RANGE_MS) : new Date(query.from);
        if (from.getTime() >= to.getTime()) throw invalidQuery('from', `must be before to (${to.toISOString()})`);

        const { resolved } = await loadCurrentSettings(deps.db, deps.deploymentOverrides);
        const settings = resolved.campaigns[campaign];
        const conversionWindowMs =
          query.conversionWindow ?? settings.conversionWindowMs ?? DEFAULT_MECHANICS.conversionWindowMs;
        const counts = await campaignReportCounts(deps.db, {
          campaign,
          from,
          to,
          conversionWindowMs,
          ...(query.step === undefined ? {} : { step: query.step }),
        });
        const rows = reportRows(counts, {
          holdoutShare: settings.holdout ?? 0,
          ...(query.step === undefined ? {} : { step: query.step }),
          ...(query.variant === undefined ? {} : { variant: query.variant }),
          knownVariants: query.step === undefined ? [] : (settings.variants?.[query.step] ?? []).map((v) => v.name),
        });
        return {
          status: 200,
          body: {
            campaign,
            from: from.toISOString(),
            to: to.toISOString(),
            conversionWindowMs,
            conversionWindowFrom: query.conversionWindow === undefined ? 'settings' : 'query',
            holdoutShare: settings.holdout ?? 0,
            step: query.step ?? null,
            variant: query.variant ?? null,
            ...rows,
          },
        };
      },
    }),
  ];
}
