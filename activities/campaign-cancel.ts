import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CAMPAIGN_LAUNCH_WORKFLOW } from '../contract/campaign-workflows';
import { campaignCancelledSignal, type CampaignType } from '../contract/journeys';
import { campaignLifecycle } from '../platform/db/campaign-settings';
import type { Db } from '../platform/db/database';
import { JourneyClient } from '../platform/temporal/journeys';
import { postgresPresence } from '../platform/temporal/journey-presence';

export interface CancelPass {
  /** The campaign was opened again (or cancelled anew) since this cancellation: stop telling journeys. */
  superseded: boolean;
  /** Journeys told in this pass. */
  told: number;
  /** Journeys of the campaign still running after the pass, by visibility. */
  stillRunning: number;
}

/** The activities of a campaign-wide cancel: tell every running journey, count what is left. */
export function createCampaignCancelActivities(deps: { db: Db; temporal: Client }) {
  /** One pass over the campaign's running journeys, for the cancellation made at `cancelledAtMs`. */
  async function tellJourneysCampaignCancelled(input: {
    campaign: CampaignType;
    cancelledAtMs: number;
  }): Promise<CancelPass> {
    const { cancelled } = await campaignLifecycle(deps.db, input.campaign);
    if (!cancelled || cancelled.at.getTime() !== input.cancelledAtMs)
      return { superseded: true, told: 0, stillRunning: 0 };
    const journeys = new JourneyClient(deps.temporal, Context.current().info.taskQueue, postgresPresence(deps.db));
    const told = await journeys.tellCampaignCancelled(input.campaign, cancelled.reason, (sofar) =>
      Context.current().heartbeat(sofar),
    );
    const taskQueue = Context.current().info.taskQueue;
    await tellLaunches(input.campaign, cancelled.reason, taskQueue);
    const stillRunning = await journeys.count({ campaign: input.campaign, status: 'Running', taskQueue });
    return { superseded: false, told, stillRunning };
  }

  /** Running launches stop: a scheduled or paused one would not look at the campaign until it goes on. */
  async function tellLaunches(campaign: CampaignType, reason: string, taskQueue: string): Promise<void> {
    const query =
      `WorkflowType = '${CAMPAIGN_LAUNCH_WORKFLOW}' AND ExecutionStatus = 'Running' ` +
      `AND CampaignType = '${campaign}' AND TaskQueue = '${taskQueue}'`;
    for await (const launch of deps.temporal.workflow.list({ query })) {
      try {
        await deps.temporal.workflow.getHandle(launch.workflowId).signal(campaignCancelledSignal, { reason });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
  }

  return { tellJourneysCampaignCancelled };
}
