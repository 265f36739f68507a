import { formatDuration } from '../contract/duration';
import type { CustomerEvent } from '../contract/events';
import type { JourneyInput, JourneyResult } from '../contract/journeys';
import { Journey } from './engine/journey';
import type { Wait } from './engine/steps';

export interface ChurnState {
  score: number;
  /** occurredAt of the newest score seen; older scores are stale. */
  lastScoreAtMs: number;
  /** Journey-clock time of the previous step, from which the next delay runs. */
  previousStepAtMs: number;
}

const WELCOME_BACK_CODE = 'WELCOMEBACK15';

/**
 * Churn retention: a win-back email on day 0, an SMS offer on day 3, a final email on day 7. Ends
 * when the customer comes back (session started), orders, scores under the threshold,
 * unsubscribes or is cancelled. Lives for days, so it continues as new when its history grows.
 */
export async function churnRetentionWorkflow(input: JourneyInput<ChurnState>): Promise<JourneyResult> {
  const journey = new Journey('churn-retention', input, { score: 0, lastScoreAtMs: 0, previousStepAtMs: 0 });
  const churn = journey.campaignState;
  const startsChurn = (event: CustomerEvent) =>
    event.type === 'churn.risk_scored' && event.properties.score >= (journey.settings?.threshold ?? 1);

  journey.listen((event) => {
    if (event.type === 'churn.risk_scored') {
      const occurredAt = journey.eventTime(event);
      if (occurredAt < churn.lastScoreAtMs) return;
      churn.lastScoreAtMs = occurredAt;
      churn.score = event.properties.score;
      const threshold = journey.settings?.threshold;
      if (!journey.hasEntered) journey.enterWith(event);
      else if (threshold !== undefined && event.properties.score < threshold) {
        journey.requestExit('score_dropped', `churn risk fell to ${event.properties.score}`, event);
      }
      journey.note(`churn risk scored ${event.properties.score}`);
    } else if (event.type === 'session.started') {
      journey.requestExit('customer_returned', 'the customer came back', event);
    } else if (event.type === 'order.placed') {
      journey.requestExit('converted', `order ${event.properties.orderId} placed`, event);
    }
  }, startsChurn);

  const settings = await journey.waitForEntry();
  // Also after continue-as-new: a lower score may have arrived before the settings were loaded.
  if (churn.score < settings.threshold) {
    journey.requestExit('score_dropped', `churn risk ${churn.score} is under the threshold ${settings.threshold}`);
  }
  if (!(await journey.admit(0))) return journey.finish('completed', 'ended before it began');
  if (!input.carried) churn.previousStepAtMs = Date.now();

  /** Each step is due a delay after the previous one (none: at once). */
  const afterPreviousStep = (delayMs: number, stage: string): Wait | undefined =>
    delayMs > 0
      ? {
          stage,
          details: `Waiting ${formatDuration(delayMs)} before the next win-back step`,
          summary: `waiting ${formatDuration(delayMs)} for the next win-back step`,
          dueAt: () => churn.previousStepAtMs + delayMs,
        }
      : undefined;
  const stepDone = () => {
    churn.previousStepAtMs = Date.now();
  };

  await journey.runSteps([
    {
      send: () => [
        { step: 'day-0', channel: 'email', template: { id: 'churn-winback' }, summary: 'win-back email (day 0)' },
      ],
      then: stepDone,
    },
    {
      wait: afterPreviousStep(settings.offerDelayMs, 'waiting_for_sms_offer'),
      send: () => [
        {
          step: 'day-3',
          channel: 'sms',
          template: { id: 'churn-offer-sms', incentiveCode: WELCOME_BACK_CODE },
          summary: 'win-back offer by SMS (day 3)',
        },
      ],
      then: stepDone,
    },
    {
      wait: afterPreviousStep(settings.finalDelayMs, 'waiting_for_final_email'),
      send: () => [
        {
          step: 'day-7',
          channel: 'email',
          template: { id: 'churn-final', incentiveCode: WELCOME_BACK_CODE },
          summary: 'final win-back email (day 7)',
        },
      ],
      then: stepDone,
    },
  ]);
  return journey.complete('the win-back sequence finished', 'the customer could not be reached');
}
