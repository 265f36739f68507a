import { formatDuration } from '../contract/duration';
import type { JourneyInput, JourneyResult } from '../contract/journeys';
import { Journey } from './journey';

export interface ChurnState {
  score: number;
  entryEventAt: string | null;
  /** occurredAt of the newest score seen; older scores are stale. */
  lastScoreAtMs: number;
  /** Journey-clock time of the previous step, from which the next delay runs. */
  previousStepAtMs: number;
}

/**
 * Churn retention: a win-back email on day 0, an SMS offer on day 3, a final email on day 7. Ends
 * when the customer comes back (session started), orders, scores under the threshold,
 * unsubscribes or is cancelled. Lives for days, so it continues as new when its history grows.
 */
export async function churnRetentionWorkflow(input: JourneyInput<ChurnState>): Promise<JourneyResult> {
  const journey = new Journey('churn-retention', input, { score: 0, entryEventAt: null, lastScoreAtMs: 0, previousStepAtMs: 0 });
  const churn = () => journey.campaignState;

  journey.listen((event) => {
    if (event.type === 'churn.risk_scored') {
      const occurredAt = journey.eventTime(event);
      if (occurredAt < churn().lastScoreAtMs) return;
      churn().lastScoreAtMs = occurredAt;
      churn().score = event.properties.score;
      const threshold = journey.settings?.threshold;
      if (!journey.state.journeyId) {
        journey.state.journeyId = event.eventId;
        churn().entryEventAt = event.occurredAt;
      } else if (threshold !== undefined && event.properties.score < threshold) {
        journey.requestExit('score_dropped', `churn risk fell to ${event.properties.score}`, event);
      }
      journey.record('event', `churn risk scored ${event.properties.score}`);
    } else if (event.type === 'session.started') {
      journey.requestExit('customer_returned', 'the customer came back', event);
    } else if (event.type === 'order.placed') {
      journey.requestExit('converted', `order ${event.properties.orderId} placed`, event);
    }
  }, (event) => event.type === 'churn.risk_scored' && event.properties.score >= (journey.settings?.threshold ?? 1));

  const { settings } = await journey.begin(() => journey.state.journeyId !== null);
  // Also after continue-as-new: a lower score may have arrived before the settings were loaded.
  if (churn().score < settings.threshold) {
    journey.requestExit('score_dropped', `churn risk ${churn().score} is under the threshold ${settings.threshold}`);
  }
  if (!(await journey.enter(churn().entryEventAt, 0))) return journey.finish('completed', 'ended before it began');
  if (!input.carried) churn().previousStepAtMs = Date.now();

  const steps = [
    { delayMs: 0, stage: 'winback_email' },
    { delayMs: settings.offerDelayMs, stage: 'waiting_for_sms_offer' },
    { delayMs: settings.finalDelayMs, stage: 'waiting_for_final_email' },
  ];
  while (journey.stepIndex < steps.length && !journey.exitRequest) {
    const step = steps[journey.stepIndex]!;
    if (step.delayMs > 0) {
      journey.moveTo(step.stage, `Waiting ${formatDuration(step.delayMs)} before the next win-back step`);
      await journey.waitUntil(() => churn().previousStepAtMs + step.delayMs, `waiting ${formatDuration(step.delayMs)} for the next win-back step`);
      if (journey.exitRequest) break;
    }
    if (journey.stepIndex === 0) {
      await journey.send({ step: 'day-0', channel: 'email', template: { id: 'churn-winback' }, summary: 'win-back email (day 0)' });
    } else if (journey.stepIndex === 1) {
      await journey.send({ step: 'day-3', channel: 'sms', template: { id: 'churn-offer-sms', incentiveCode: 'WELCOMEBACK15' }, summary: 'win-back offer by SMS (day 3)' });
    } else {
      await journey.send({ step: 'day-7', channel: 'email', template: { id: 'churn-final', incentiveCode: 'WELCOMEBACK15' }, summary: 'final win-back email (day 7)' });
    }
    churn().previousStepAtMs = Date.now();
    journey.stepIndex += 1;
  }

  const reachedNobody = journey.state.messagesSent === 0 && journey.unreachableSteps > 0;
  return journey.finish(reachedNobody ? 'not_contactable' : 'completed', reachedNobody ? 'the customer could not be reached' : 'the win-back sequence finished');
}
