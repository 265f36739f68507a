import { continueAsNew, proxyActivities, setCurrentDetails, setHandler, sleep } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities';
import {
  campaignCancelProgressQuery,
  type CampaignCancelInput,
  type CampaignCancelProgress,
} from '../contract/campaign-workflows';

const { tellJourneysCampaignCancelled } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Between passes: time for told journeys to end and for visibility to catch up with new ones. */
const PASS_INTERVAL = '5 seconds';
const PASSES_PER_RUN = 200;

/**
 * A campaign-wide cancel: tells every running journey of the campaign that it was cancelled, then
 * looks again until none is running. New entries are already refused (the campaign is marked
 * cancelled before this starts), and a journey that misses the signal ends at its next send.
 */
export async function campaignCancelWorkflow(input: CampaignCancelInput): Promise<CampaignCancelProgress> {
  const progress: CampaignCancelProgress = input.progress ?? {
    passes: 0,
    told: 0,
    stillRunning: null,
    state: 'cancelling',
  };
  setHandler(campaignCancelProgressQuery, () => progress);

  for (let pass = 0; pass < PASSES_PER_RUN; pass++) {
    const result = await tellJourneysCampaignCancelled({
      campaign: input.campaign,
      cancelledAtMs: input.cancelledAtMs,
    });
    progress.passes += 1;
    progress.told += result.told;
    progress.stillRunning = result.stillRunning;
    if (result.superseded) {
      progress.state = 'superseded';
      setCurrentDetails(`Stopped: ${input.campaign} was opened again. Told ${progress.told} journeys.`);
      return progress;
    }
    if (result.stillRunning === 0) {
      progress.state = 'done';
      setCurrentDetails(`Done: every ${input.campaign} journey ended. Told ${progress.told} journeys.`);
      return progress;
    }
    setCurrentDetails(
      `Cancelling ${input.campaign} ("${input.reason}"): told ${progress.told} journeys over ${progress.passes} ` +
        `passes; ${result.stillRunning} still running.`,
    );
    await sleep(PASS_INTERVAL);
  }
  return continueAsNew<typeof campaignCancelWorkflow>({ ...input, progress });
}
