import { condition } from '@temporalio/workflow';
import type { CampaignType, Outcome } from '../../contract/journeys';
import { bookkeeping } from './proxies';
import { continueAsNewIfDue } from './continue-as-new';
import type { JourneyRun } from './run-state';
import { sendStep, type SendRequest } from './send-step';
import { judgeEarlyFailures, sendFallbacks } from './sms-fallback';
import { withVariant } from './experiments';

/** A durable wait before a step, on the journey's clock. */
export interface Wait {
  /** The journey's stage while it waits (a search attribute). */
  stage: string;
  /** The current details shown in the Web UI while it waits. */
  details: string;
  /** The timer's summary in the event history. */
  summary: string;
  /** When the step is due; read again each time the wait starts. */
  dueAt: () => number;
  /** The wait starts over whenever this value changes (a cart update, another product view). */
  restartOn?: () => number;
}

/** One step of a campaign: wait, then send on the first channel that can reach the customer. */
export interface Step {
  /** Absent: the step is due at once. */
  wait?: Wait;
  /**
   * When due, the journey ends instead (outcome `suppressed`) if the customer's journey of that
   * campaign is running.
   */
  suppressedWhile?: { campaign: CampaignType; why: string };
  /**
   * What to send, read when the step is due: the first channel, then each fallback while the
   * customer cannot be reached on the one before. Read again when an SMS of the step is reported
   * undelivered: the channels after it are the step's fallback (./sms-fallback.ts).
   */
  send: () => SendRequest[];
  /** After the step, whether or not it sent. */
  then?: () => void;
}

/**
 * Runs the campaign's steps in order from where the run is, until they are done or the journey
 * exits; between steps, the fallbacks of failed SMS (./sms-fallback.ts).
 */
export async function runSteps<C extends CampaignType, S>(run: JourneyRun<C, S>, steps: Step[]): Promise<void> {
  run.steps = steps;
  judgeEarlyFailures(run);
  while (run.stepIndex < steps.length && !run.exit) {
    await sendFallbacks(run);
    const step = steps[run.stepIndex]!;
    if (step.wait && !(await waitFor(run, step.wait))) continue;
    if (
      step.suppressedWhile &&
      (await bookkeeping(run).isJourneyRunning({ campaign: step.suppressedWhile.campaign, customerId: run.customerId }))
    ) {
      run.requestExit('suppressed' satisfies Outcome, step.suppressedWhile.why);
      continue;
    }
    for (const request of withVariant(run, step.send())) {
      if ((await sendStep(run, request)) !== 'unreachable') break;
    }
    judgeEarlyFailures(run);
    step.then?.();
    run.stepIndex += 1;
  }
  await sendFallbacks(run);
  run.stepsDone = true;
}

/** True when the step came due; false when the wait was cut short (an exit, a restart, a fallback to send). */
async function waitFor<C extends CampaignType, S>(run: JourneyRun<C, S>, wait: Wait): Promise<boolean> {
  run.moveTo(wait.stage, wait.details);
  const before = wait.restartOn?.();
  await continueAsNewIfDue(run);
  const remaining = Math.max(0, wait.dueAt() - Date.now());
  if (remaining > 0) run.record('wait', wait.summary);
  const woken = await condition(
    () =>
      run.exit !== null ||
      run.smsFallback.pending.length > 0 ||
      (wait.restartOn !== undefined && wait.restartOn() !== before),
    remaining,
    { summary: wait.summary },
  );
  return !woken && !run.exit;
}
