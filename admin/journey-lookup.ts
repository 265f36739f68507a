import { ADMISSION_REFUSALS, type CampaignType, type JourneyState, type Outcome } from '../contract/journeys';
import type { Db } from '../platform/db/database';
import { admissionOf } from '../platform/db/journeys';
import type { JourneyClient, JourneySummary } from '../platform/temporal/journeys';

/** How many of a customer's runs in one campaign are looked through, newest first. */
export const RUNS_LOOKED_AT = 50;

export interface JourneyLookup {
  /** The latest journey that ran (admitted), else the latest run. */
  journey: JourneySummary;
  live: { state: JourneyState } | { error: string };
  /** Runs refused at admission (a replayed, stale or cooled-down entry), newest first. */
  refusedRuns: Array<Pick<JourneySummary, 'runId' | 'outcome' | 'startedAt' | 'closedAt'>>;
}

/**
 * "What happened to customer X?": the journey that ran, not the run a topic replay started and
 * refused as `duplicate_entry`. Runs are taken newest first; those refused at admission are listed
 * apart; a `campaign_cancelled` run is a refusal only if its journey was never admitted.
 */
export async function lookUpJourney(
  deps: { db: Db; journeys: JourneyClient; stateQueryTimeoutMs: number },
  campaign: CampaignType,
  customerId: string,
): Promise<JourneyLookup | null> {
  const runs = await deps.journeys.runs(campaign, customerId, RUNS_LOOKED_AT);
  if (runs.length === 0) return null;
  const refusedRuns: JourneyLookup['refusedRuns'] = [];
  let chosen: { run: JourneySummary; live: JourneyLookup['live'] } | null = null;
  for (const run of runs) {
    if (run.status === 'ContinuedAsNew') continue;
    const refusal = { runId: run.runId, outcome: run.outcome, startedAt: run.startedAt, closedAt: run.closedAt };
    if (ADMISSION_REFUSALS.includes(run.outcome as Outcome)) {
      refusedRuns.push(refusal);
      continue;
    }
    if (chosen) continue;
    const live = await deps.journeys.stateWithin(campaign, customerId, deps.stateQueryTimeoutMs, run.runId);
    if (run.outcome === 'campaign_cancelled' && 'state' in live && !(await wasAdmitted(live.state))) {
      refusedRuns.push(refusal);
      continue;
    }
    chosen = { run, live };
  }
  if (chosen) return { journey: chosen.run, live: chosen.live, refusedRuns };
  const latest = runs[0]!;
  const live = await deps.journeys.stateWithin(campaign, customerId, deps.stateQueryTimeoutMs, latest.runId);
  return { journey: latest, live, refusedRuns };

  async function wasAdmitted(state: JourneyState): Promise<boolean> {
    if (!state.journeyId) return false;
    const admission = await admissionOf(deps.db, { campaign, customerId, journeyId: state.journeyId });
    return admission?.admitted === true;
  }
}
