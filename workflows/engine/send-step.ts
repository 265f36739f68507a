import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
} from '@temporalio/workflow';
import type { SendOutcome, SendPlan } from '../../activities';
import { PERMANENT_DELIVERY_ERROR } from '../../contract/errors';
import { deliveryKey, type CampaignType } from '../../contract/journeys';
import type { TemplateRequest } from '../../contract/templates';
import { bookkeeping, channels } from './proxies';
import { continueAsNewIfDue } from './continue-as-new';
import type { JourneyRun } from './run-state';
import { isHeldOut } from './experiments';

/** The shortest hold of a send (pause, quiet hours): a policy that keeps answering "not yet" can never spin. */
const MIN_HOLD_MS = 1_000;

export interface SendRequest {
  step: string;
  channel: 'email' | 'sms';
  template: TemplateRequest;
  /** Shown on the activity in the Web UI, e.g. "cart reminder 1 by email". */
  summary: string;
}

/**
 * `unreachable`: the customer cannot get this channel (no address, no consent, a permanent
 * refusal), so another channel may be tried; `skipped`: not sent for another reason (capped, or an
 * earlier attempt's outcome is unknown), and no other channel should be tried for this step.
 */
export type SendResult = 'sent' | 'skipped' | 'unreachable' | 'exited';

/** Sends one step under the contact policy; holds while the campaign is paused or during quiet hours. */
export async function sendStep<C extends CampaignType, S>(
  run: JourneyRun<C, S>,
  request: SendRequest,
): Promise<SendResult> {
  for (;;) {
    const allowed = await holdUntilAllowed(run, request);
    if (allowed !== 'go') return allowed;
    if (isHeldOut(run)) return holdBack(run, request);
    run.moveTo(`sending_${request.step}`, `Sending ${request.summary}`);
    run.sendingNow = `${request.step}:${request.channel}`;
    const outcome = await dispatch(run, request).finally(() => {
      run.sendingNow = null;
    });
    if (outcome === 'exited' || outcome === 'unreachable') return outcome;
    if (outcome.status === 'deferred') {
      // The policy changed between the plan and an attempt (a pause, quiet hours after a long outage): plan again.
      run.record('wait', `${request.summary}: deferred (${outcome.reason})`);
      continue;
    }
    if (outcome.status === 'sent') {
      // A send already at the provider when the exit arrived still went out, but it did not earn the exit.
      const credited = run.exit === null;
      run.state.messagesSent += 1;
      if (credited) run.state.lastMessage = `${request.step} (${request.channel})`;
      run.lastMessageAtMs = Date.now();
      run.smsFallback.sent.push(`${request.step}:${request.channel}`);
      const note = outcome.firstDelivery ? '' : ' (already delivered by an earlier attempt)';
      run.record(
        'message',
        `${request.summary}: sent${note}${credited ? '' : ', in flight when the journey ended (not credited)'}`,
      );
      return 'sent';
    }
    run.record('skip', `${request.summary}: not sent (${outcome.reason})`);
    return 'skipped';
  }
}

/**
 * A held-out journey's step: recorded as `held_out`, not sent. It counts as the journey's last
 * message for the timing of the next step, so the holdout waits exactly as the treated journeys do.
 */
async function holdBack<C extends CampaignType, S>(run: JourneyRun<C, S>, request: SendRequest): Promise<SendResult> {
  await bookkeeping().recordHeldOut({
    idempotencyKey: deliveryKey(run.campaign, run.customerId, run.state.journeyId, request.step, request.channel),
    campaign: run.campaign,
    customerId: run.customerId,
    step: request.step,
    channel: request.channel,
  });
  run.lastMessageAtMs = Date.now();
  run.record('skip', `${request.summary}: held out, not sent (holdout group)`);
  return 'skipped';
}

/** Plans a send until the policy allows it: 'go', or why not (the journey exited, the customer is unreachable). */
async function holdUntilAllowed<C extends CampaignType, S>(
  run: JourneyRun<C, S>,
  request: SendRequest,
): Promise<'go' | 'exited' | 'unreachable'> {
  for (;;) {
    if (run.exit) return 'exited';
    const plan: SendPlan = await bookkeeping().planSend({
      campaign: run.campaign,
      customerId: run.customerId,
      channel: request.channel,
      atMs: Date.now(),
    });
    if (plan.kind === 'go') return run.exit ? 'exited' : 'go';
    // An order or cancel that arrived while the plan was being made ends the step here.
    if (run.exit && patched('exit-before-continue-as-new')) return 'exited';
    if (plan.kind === 'cancelled') {
      run.requestExit('campaign_cancelled', `the campaign was cancelled: ${plan.reason}`);
      return 'exited';
    }
    if (plan.kind === 'unreachable') {
      run.unreachableSteps += 1;
      run.record('skip', `${request.step} by ${request.channel} skipped: ${plan.reason}`);
      return 'unreachable';
    }
    if (plan.kind === 'paused') {
      await continueAsNewIfDue(run);
      const resumedBefore = run.resumedSignals;
      run.moveTo('paused', `Campaign paused: ${request.step} is held until it is resumed`);
      run.record('wait', `campaign paused; holding ${request.step}`);
      await condition(
        () => run.exit !== null || run.resumedSignals !== resumedBefore,
        Math.max(MIN_HOLD_MS, run.settings!.pauseRecheckMs),
        {
          summary: `campaign paused: holding ${request.step}`,
        },
      );
      continue;
    }
    if (patched('quiet-hours-guard')) await continueAsNewIfDue(run);
    run.moveTo('quiet_hours', `Quiet hours: ${request.step} waits until ${plan.until}`);
    run.record('wait', `quiet hours: ${request.step} by ${request.channel} waits until ${plan.until}`);
    await condition(() => run.exit !== null, Math.max(MIN_HOLD_MS, plan.untilMs - Date.now()), {
      summary: `quiet hours: ${request.step} waits until ${plan.until}`,
    });
  }
}

/**
 * Calls the channel's send activity. An exit that arrives meanwhile cancels it: a send waiting for
 * its next attempt never reaches the provider, and one in flight reports what became of it.
 */
async function dispatch<C extends CampaignType, S>(
  run: JourneyRun<C, S>,
  request: SendRequest,
): Promise<SendOutcome | 'exited' | 'unreachable'> {
  const activity = request.channel === 'email' ? channels.sendEmail : channels.sendSms;
  const key = deliveryKey(run.campaign, run.customerId, run.state.journeyId, request.step, request.channel);
  const deliveryRequest = {
    idempotencyKey: key,
    campaign: run.campaign,
    customerId: run.customerId,
    step: request.step,
    atMs: Date.now(),
    template: request.template,
    ...(run.entryEventAt === null ? {} : { entryEventAtMs: Date.parse(run.entryEventAt) }),
  };
  const cancellable = patched('cancel-send-on-exit');
  const scope = new CancellationScope();
  let settled = false;
  if (cancellable) {
    void condition(() => settled || run.exit !== null).then(() => {
      if (!settled) scope.cancel();
    });
  }
  try {
    return await scope.run(() =>
      activity.executeWithOptions(
        {
          startToCloseTimeout: '45 seconds',
          heartbeatTimeout: '10 seconds',
          summary: request.summary,
          ...(cancellable ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED } : {}),
        },
        [deliveryRequest],
      ),
    );
  } catch (error) {
    // Asked to stop because the journey ended, the send either acknowledged it or failed its last
    // attempt (Temporal does not retry an attempt once a cancellation is requested): either way it is over.
    if (cancellable && run.exit && (isCancellation(error) || error instanceof ActivityFailure)) {
      await bookkeeping().abandonSend({
        idempotencyKey: key,
        campaign: run.campaign,
        customerId: run.customerId,
        step: request.step,
        channel: request.channel,
      });
      run.record('skip', `${request.summary}: cancelled before it reached the provider (the journey ended)`);
      return 'exited';
    }
    // The provider refused this recipient for good (invalid number, unsubscribed, SMTP 5xx): the ledger
    // has recorded it; the journey treats the channel as unreachable and goes on.
    if (!(
      error instanceof ActivityFailure &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === PERMANENT_DELIVERY_ERROR
    ))
      throw error;
    run.unreachableSteps += 1;
    run.record('skip', `${request.summary}: rejected by the provider (${error.cause.message})`);
    return 'unreachable';
  } finally {
    settled = true;
  }
}
