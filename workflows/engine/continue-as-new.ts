import { continueAsNew, log, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import { searchAttributeKeys, type CampaignType, type JourneyInput, type JourneyResult } from '../../contract/journeys';
import type { JourneyMechanics } from '../../contract/settings/types';
import type { JourneyRun } from './run-state';

type JourneyWorkflow<CampaignState> = (input: JourneyInput<CampaignState>) => Promise<JourneyResult>;

/** Continues as new, carrying the run, once the history has grown long (checked before each wait). */
export async function continueAsNewIfDue<C extends CampaignType, S>(run: JourneyRun<C, S>): Promise<void> {
  // A journey that is ending never continues as new: the exit would not be carried.
  if (run.exit && run.takes('exit-before-continue-as-new')) return;
  const info = workflowInfo();
  const mechanics: JourneyMechanics = run.settings!;
  if (!info.continueAsNewSuggested && info.historyLength < mechanics.continueAsNewAfterEvents) return;
  log.info('Continuing as new', { historyLength: info.historyLength });
  await continueAsNew<JourneyWorkflow<S>>({ ...run.input, entry: undefined, carried: run.carried() });
}

/** Hands the events that arrived while this journey was ending to a fresh journey of the same customer. */
export async function startNextJourney<C extends CampaignType, S>(run: JourneyRun<C, S>): Promise<never> {
  log.info('An entry arrived as the journey ended: the next journey starts with it', { events: run.lateEvents.length });
  const next = makeContinueAsNewFunc<JourneyWorkflow<S>>({
    typedSearchAttributes: [
      { key: searchAttributeKeys.customerId, value: run.customerId },
      { key: searchAttributeKeys.campaignType, value: run.campaign },
      { key: searchAttributeKeys.journeyStage, value: 'entered' },
    ],
  });
  return next({ version: run.input.version, customerId: run.customerId, entries: run.lateEvents });
}
