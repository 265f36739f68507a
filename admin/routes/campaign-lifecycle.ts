import { cancelCampaign, campaignLifecycle, reopenCampaign } from '../../platform/db/campaign-settings';
import { campaignCancelWorkflowId } from '../../platform/temporal/campaigns';
import type { CampaignType } from '../../contract/journeys';
import type { AdminDependencies } from '../dependencies';
import { notFound } from '../errors';
import { campaignCancelBody, cancellationView, reopenedView } from '../launch-schemas';
import { route, type Route } from '../route';
import { campaignParams } from '../schemas';

/** Cancel a whole campaign (its running journeys end, new entries are refused) and start it again. */
export function campaignLifecycleRoutes(deps: AdminDependencies): Route[] {
  async function cancellation(campaign: CampaignType) {
    const { cancelled } = await campaignLifecycle(deps.db, campaign);
    if (!cancelled) throw notFound(`${campaign} is not cancelled.`);
    const workflowId = campaignCancelWorkflowId(campaign, cancelled.at.getTime());
    const progress = await deps.campaigns.cancellationProgress(workflowId).catch(() => null);
    return {
      campaign,
      cancelledAt: cancelled.at.toISOString(),
      reason: cancelled.reason,
      workflowId,
      progress,
      links: { self: `/campaigns/${campaign}/cancellation`, temporalUi: deps.temporalUiUrl({ workflowId }) },
    };
  }

  return [
    route({
      method: 'post',
      path: '/campaigns/{campaign}/cancel',
      operationId: 'cancelCampaign',
      tag: 'Campaigns',
      summary: 'Cancel a campaign: new entries are refused and every running journey ends as campaign_cancelled',
      description:
        'Durable: a workflow tells every running journey, including those of launches, and looks again until ' +
        'none runs; launches of the campaign stop. A journey that misses the signal ends at its next send. ' +
        'Cancelling a cancelled campaign keeps the first cancellation and its reason.',
      params: campaignParams,
      body: campaignCancelBody,
      responses: { 202: { description: 'Cancelled; the journeys are being told', schema: cancellationView } },
      handle: async ({ params, body }) => {
        const cancelled = await cancelCampaign(deps.db, params.campaign, body.reason);
        await deps.campaigns.startCancellation(params.campaign, cancelled.reason, cancelled.at);
        return { status: 202, body: await cancellation(params.campaign) };
      },
    }),
    route({
      method: 'get',
      path: '/campaigns/{campaign}/cancellation',
      operationId: 'getCampaignCancellation',
      tag: 'Campaigns',
      summary: "A cancelled campaign's cancellation: when, why, and how far telling its journeys has got",
      params: campaignParams,
      responses: { 200: { description: 'The cancellation', schema: cancellationView } },
      errors: { 404: 'The campaign is not cancelled.' },
      handle: async ({ params }) => ({ status: 200, body: await cancellation(params.campaign) }),
    }),
    route({
      method: 'post',
      path: '/campaigns/{campaign}/start',
      operationId: 'startCampaign',
      tag: 'Campaigns',
      summary: 'Open a cancelled campaign again: new entries are admitted (ended journeys stay ended)',
      params: campaignParams,
      responses: { 200: { description: 'The campaign is open', schema: reopenedView } },
      handle: async ({ params }) => ({
        status: 200,
        body: { campaign: params.campaign, reopened: await reopenCampaign(deps.db, params.campaign) },
      }),
    }),
  ];
}
