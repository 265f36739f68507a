import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CampaignActivities } from '../activities';
import { campaignCancelledSignal } from '../contract/journeys';
import {
  cancelLaunchSignal,
  launchProgressQuery,
  pauseLaunchSignal,
  resumeLaunchSignal,
  type LaunchInput,
  type LaunchProgress,
  type LaunchState,
} from '../contract/campaign-workflows';

const { enterAudiencePage } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '15 minutes',
  // A page's worker killed: another takes the page up within this time.
  heartbeatTimeout: '15 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** A page is about ten seconds of entries at the launch's rate, so a pause or cancel takes effect soon. */
const pageSizeFor = (ratePerSecond: number) => Math.max(1, Math.min(500, Math.round(ratePerSecond * 10)));
const PAGES_PER_RUN = 100;

/**
 * A launch: enters a stored audience into a campaign page by page at a set rate, from an optional
 * start time. Pause, resume and cancel are signals; a cancelled campaign stops it. Each member is
 * entered at most once (see activities/launch.ts); progress is in the query and the Web UI details.
 */
export async function campaignLaunchWorkflow(input: LaunchInput): Promise<LaunchProgress> {
  const progress: LaunchProgress = {
    state: input.carried?.paused ? 'paused' : 'running',
    cursor: input.carried?.cursor ?? 0,
    audienceSize: input.audienceSize,
    totals: input.carried?.totals ?? null,
    cancelReason: null,
  };
  let paused = input.carried?.paused ?? false;
  let stop: { state: 'cancelled' | 'campaign_cancelled'; reason: string } | null = null;
  let page: CancellationScope | null = null;
  const interrupt = () => page?.cancel();
  setHandler(launchProgressQuery, () => progress);
  setHandler(pauseLaunchSignal, () => {
    paused = true;
    interrupt();
  });
  setHandler(resumeLaunchSignal, () => {
    paused = false;
  });
  setHandler(cancelLaunchSignal, ({ reason }) => {
    stop ??= { state: 'cancelled', reason };
    interrupt();
  });
  setHandler(campaignCancelledSignal, ({ reason }) => {
    stop ??= { state: 'campaign_cancelled', reason };
    interrupt();
  });

  if (!input.carried && input.startAtMs !== null && input.startAtMs > Date.now()) {
    progress.state = 'scheduled';
    show(progress, `Scheduled for ${new Date(input.startAtMs).toISOString()}`);
    await condition(() => stop !== null, input.startAtMs - Date.now());
  }

  const pageSize = pageSizeFor(input.ratePerSecond);
  for (let pages = 0; ; pages++) {
    if (stop) return end(progress, stop.state, stop.reason);
    if (paused) {
      progress.state = 'paused';
      show(progress, 'Paused');
      await condition(() => !paused || stop !== null);
      continue;
    }
    if (pages >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested)
      return continueAsNew<typeof campaignLaunchWorkflow>({
        ...input,
        carried: { cursor: progress.cursor, paused, totals: progress.totals },
      });
    progress.state = 'running';
    show(progress, 'Entering');
    page = new CancellationScope();
    try {
      const result = await page.run(() =>
        enterAudiencePage({
          launchId: input.launchId,
          campaign: input.campaign,
          afterPosition: progress.cursor,
          pageSize,
          ratePerSecond: input.ratePerSecond,
        }),
      );
      progress.cursor = result.lastPosition;
      progress.totals = result.totals;
      if (result.campaignCancelled) stop ??= { state: 'campaign_cancelled', reason: 'the campaign was cancelled' };
      else if (result.done) return end(progress, 'completed', null);
    } catch (error) {
      // Interrupted by a pause or a cancel: the page's settled members stay settled; the rest are taken up again.
      if (!isCancellation(error)) throw error;
    } finally {
      page = null;
    }
  }
}

function end(progress: LaunchProgress, state: LaunchState, reason: string | null): LaunchProgress {
  progress.state = state;
  progress.cancelReason = reason;
  show(progress, state === 'completed' ? 'Completed' : `Stopped (${state}): ${reason}`);
  return progress;
}

function show(progress: LaunchProgress, headline: string): void {
  const totals = progress.totals;
  const skips = totals
    ? Object.entries(totals.reasons)
        .map(([reason, count]) => `${reason} ${count}`)
        .join(', ')
    : '';
  setCurrentDetails(
    `${headline}. ` +
      (totals
        ? `Entered ${totals.entered}, skipped ${totals.skipped}${skips ? ` (${skips})` : ''}, ` +
          `failed ${totals.failed}, remaining ${totals.pending} of ${progress.audienceSize}.`
        : `${progress.audienceSize} customers in the audience.`),
  );
}
