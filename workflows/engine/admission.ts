import { condition, workflowInfo } from '@temporalio/workflow';
import { formatDuration } from '../../contract/duration';
import type { CampaignType } from '../../contract/journeys';
import type { CampaignSettingsMap, JourneyMechanics } from '../../contract/settings/types';
import { bookkeeping } from './proxies';
import type { JourneyRun } from './run-state';
import { applyVariantDelays, takeAssignment } from './experiments';

/** What admission deals the journey by: absent from settings recorded before experiments existed. */
function experimentPlan(settings: JourneyMechanics | undefined) {
  if (settings?.holdout === undefined) return undefined;
  return {
    holdout: settings.holdout,
    assignmentSalt: settings.assignmentSalt ?? '',
    variants: Object.fromEntries(
      Object.entries(settings.variants ?? {}).map(([step, list]) => [
        step,
        list.map(({ name, weight }) => ({ name, weight })),
      ]),
    ),
  };
}

/** Loads the campaign's settings, then waits for the entry event (delivered with signalWithStart) or an exit. */
export async function waitForEntry<C extends CampaignType, S>(run: JourneyRun<C, S>): Promise<CampaignSettingsMap[C]> {
  const loaded = await bookkeeping(run).loadSettings(run.campaign, run.input.overrides);
  run.settings = loaded.settings;
  applyVariantDelays(run);
  if (!run.input.carried) await condition(() => run.state.journeyId !== null || run.exit !== null);
  return loaded.settings;
}

/**
 * Admits the journey, or ends it before its first step (false): its entry was replayed or is late,
 * it falls in the cooldown, the campaign is paused, or an exit arrived with it. Admission is asked
 * first, so a replayed entry followed by its replayed order ends as `duplicate_entry` instead of
 * writing a second end on the journey log. A continuation was admitted by the run before it.
 */
export async function admit<C extends CampaignType, S>(run: JourneyRun<C, S>, cooldownMs: number): Promise<boolean> {
  // A run whose settings were loaded as a local activity ('local-bookkeeping', released after
  // 'admission-before-early-exit') always recorded the admission patch, but not always in the task
  // where loadSettings resolved: a query answered while loadSettings was running makes the worker
  // complete that task with the activity's marker and deliver its result only in a new task, so the
  // patch marker lands one task later. On replay the result comes in the earlier task, before the
  // worker is told about the marker, and patched() would say false there. Waiting (no command)
  // until the marker is known takes the path the run took; live, and in every other history, the
  // condition holds at once. See docs/JOURNEYS.md.
  if (run.takes('local-bookkeeping')) await condition(() => run.takes('admission-before-early-exit'));
  if (!run.takes('admission-before-early-exit')) {
    run.admitted = true;
    return !run.exit && (await applyEntryRules(run, run.entryEventAt!, cooldownMs, false));
  }
  if (run.input.carried) return !run.exit;
  if (run.entryEventAt === null || run.state.journeyId === null) return false;
  const admitted = await applyEntryRules(run, run.entryEventAt, cooldownMs, true);
  run.admitted = admitted;
  // A refused entry takes nothing with it: an entry that arrived while it was being refused (the
  // customer's fresh cart during a replay of the topic) starts the next journey, like a late one.
  if (!admitted && run.arrivedDuringAdmission.some(run.startsJourney) && run.takes('refused-entry-hands-over')) {
    run.lateEvents.push(...run.arrivedDuringAdmission);
  }
  return admitted && !run.exit;
}

/** Asks the journey log whether this entry may run; a refusal ends the journey with its reason. */
async function applyEntryRules<C extends CampaignType, S>(
  run: JourneyRun<C, S>,
  entryEventAt: string,
  cooldownMs: number,
  refusalWins: boolean,
): Promise<boolean> {
  if (run.input.carried) return true;
  const admission = await bookkeeping(run).enterJourney({
    campaign: run.campaign,
    customerId: run.customerId,
    journeyId: run.state.journeyId!,
    entryEventAtMs: Date.parse(entryEventAt),
    atMs: Date.now(),
    cooldownMs,
    maxEntryAgeMs: run.settings?.maxEntryAgeMs ?? null,
    experiment: experimentPlan(run.settings),
    runId: workflowInfo().runId,
  });
  if (admission.admitted) {
    takeAssignment(run, admission);
    return true;
  }
  const why = {
    duplicate_entry: 'this journey already ran (its entry event was replayed)',
    stale_event: 'the entry event is too old to act on, or older than the end of the previous journey',
    cooldown: `a previous journey messaged this customer less than ${formatDuration(cooldownMs)} ago`,
    campaign_paused: 'the campaign is paused, so no new journey starts',
    campaign_cancelled: 'the campaign is cancelled, so no new journey starts',
  }[admission.reason];
  // A refused journey never ran: an exit event that arrived during admission does not end it.
  if (refusalWins) run.exit = { outcome: admission.reason, why };
  else run.requestExit(admission.reason, why);
  return false;
}
