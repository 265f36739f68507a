import type { EventOf } from '../../contract/events';
import type { CampaignType } from '../../contract/journeys';
import type { JourneyRun } from './run-state';
import { sendStep, type SendRequest } from './send-step';

type SmsFailure = EventOf<'message.failed'>;

/**
 * An SMS the provider accepted and later reported undelivered: when this journey sent it and its
 * step has a later channel, that channel is sent once, as soon as the journey is between steps.
 * Anything else changes nothing but the timeline. See docs/JOURNEYS.md.
 */
export function smsFailed<C extends CampaignType, S>(run: JourneyRun<C, S>, failure: SmsFailure): void {
  const ended = run.exit !== null || run.stepsDone;
  if (!ended && !run.firstSighting(failure)) return;
  const { step, journeyId } = failure.properties;
  // Twilio may call back before our send activity has returned, or before a continued run knows its
  // steps again: judged once the journey knows the send went out, or what its steps are.
  if (!ended && journeyId === run.state.journeyId && (run.sendingNow === `${step}:sms` || run.steps.length === 0)) {
    run.earlySmsFailures.push(failure);
    return;
  }
  judge(run, failure);
}

/** Judges the failures reported while their SMS was still being sent, now that the send has returned. */
export function judgeEarlyFailures<C extends CampaignType, S>(run: JourneyRun<C, S>): void {
  for (let failure = run.earlySmsFailures.shift(); failure; failure = run.earlySmsFailures.shift()) judge(run, failure);
}

function judge<C extends CampaignType, S>(run: JourneyRun<C, S>, failure: SmsFailure): void {
  const { step, channel, errorCode, reason } = failure.properties;
  const what = `${step} (${channel}) failed: ${errorCode ?? reason ?? 'undelivered'}`;
  const ended = run.exit !== null || run.stepsDone;
  const refusal = ended ? 'the journey has ended' : whyNoFallback(run, failure);
  if (refusal) {
    run.record('event', `${what}; no fallback: ${refusal}`);
    return;
  }
  run.smsFallback.fellBack.push(step);
  run.smsFallback.pending.push(failure);
  run.record('event', `${what}; falling back to ${fallbackOf(run, failure)[0]!.channel}`);
}

/** Sends the fallbacks that wait, each on the first of its channels that can reach the customer. */
export async function sendFallbacks<C extends CampaignType, S>(run: JourneyRun<C, S>): Promise<void> {
  // Taken off the list only once sent: a hold (quiet hours, a pause) may continue as new meanwhile,
  // and the next run must still owe it (its email key makes a second attempt harmless).
  for (let failure = run.smsFallback.pending[0]; failure && !run.exit; failure = run.smsFallback.pending[0]) {
    for (const request of fallbackOf(run, failure)) {
      if ((await sendStep(run, request)) !== 'unreachable') break;
    }
    run.smsFallback.pending.shift();
  }
}

function whyNoFallback<C extends CampaignType, S>(run: JourneyRun<C, S>, failure: SmsFailure): string | null {
  const { step, journeyId } = failure.properties;
  if (journeyId !== run.state.journeyId) return `it was sent by another journey (${journeyId})`;
  if (!run.smsFallback.sent.includes(`${step}:sms`)) return `this journey did not send ${step} by SMS`;
  if (run.smsFallback.fellBack.includes(step)) return `${step} already fell back`;
  const later = fallbackOf(run, failure);
  if (later.length === 0) return `${step} has no other channel`;
  if (later.some((request) => run.smsFallback.sent.includes(`${step}:${request.channel}`)))
    return `${step} was already sent on another channel`;
  return null;
}

/** The channels after SMS in the failed step's list, read from its definition (the campaign's state now). */
function fallbackOf<C extends CampaignType, S>(run: JourneyRun<C, S>, failure: SmsFailure): SendRequest[] {
  const isFailed = (request: SendRequest) => request.step === failure.properties.step && request.channel === 'sms';
  for (const step of run.steps.slice(0, run.stepIndex + 1)) {
    const requests = step.send();
    const failed = requests.findIndex(isFailed);
    if (failed >= 0) return requests.slice(failed + 1);
  }
  return [];
}
