import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { CampaignType } from '../contract/journeys';
import { campaignLifecycle } from '../platform/db/campaign-settings';
import type { Db } from '../platform/db/database';
import { JourneyClient } from '../platform/temporal/journeys';

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
    const journeys = new JourneyClient(deps.temporal, Context.current().info.taskQueue);
    const told = await journeys.tellCampaignCancelled(input.campaign, cancelled.reason, (sofar) =>
      Context.current().heartbeat(sofar),
    );
    const stillRunning = await journeys.count({ campaign: input.campaign, status: 'Running' });
    return { superseded: false, told, stillRunning };
  }

  return { tellJourneysCampaignCancelled };
}
