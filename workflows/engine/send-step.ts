import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  sleep,
  TemporalFailure,
} from '@temporalio/workflow';
import type { DeliveryRequest, SendOutcome, SendPlan } from '../../activities';
import { PERMANENT_DELIVERY_ERROR } from '../../contract/errors';
import { deliveryKey, type CampaignType } from '../../contract/journeys';
import type { TemplateRequest } from '../../contract/templates';
import { bookkeeping, channels, firstAttempts } from './proxies';
import { continueAsNewIfDue } from './continue-as-new';
import type { JourneyRun } from './run-state';
import { isHeldOut } from './experiments';

/** The shortest hold of a send (pause, quiet hours): a policy that keeps answering "not yet" can never spin. */
const MIN_HOLD_MS = 1_000;

/**
 * A first attempt not handed to the provider within this is stopped and retried as an activity:
 * the time an activity's heartbeat takes to bring it an exit (workers/build-worker.ts).
 */
const FIRST_ATTEMPT = { handOverWithinMs: 1_000 };

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
  let known: SendPlan | undefined;
  if (!isHeldOut(run) && run.localFirstSend) {
    const first = await firstAttempt(run, request);
    if (typeof first === 'string') return first;
    known = first.plan;
  }
  for (;;) {
    const allowed = await holdUntilAllowed(run, request, known);
    known = undefined;
    if (allowed !== 'go') return allowed;
    if (isHeldOut(run)) return holdBack(run, request);
    run.moveTo(`sending_${request.step}`, `Sending ${request.summary}`);
    run.sendingNow = `${request.step}:${request.channel}`;
    const activity = request.channel === 'email' ? channels.sendEmail : channels.sendSms;
    const outcome = await dispatch(run, request, (deliveryRequest, cancellationType) =>
      activity.executeWithOptions(
        {
          startToCloseTimeout: '45 seconds',
          heartbeatTimeout: '10 seconds',
          summary: request.summary,
          ...(cancellationType ? { cancellationType } : {}),
        },
        [deliveryRequest],
      ),
    ).finally(() => {
      run.sendingNow = null;
    });
    if (outcome === 'exited' || outcome === 'unreachable') return outcome;
    const result = settle(run, request, outcome, 'certain');
    if (result !== 'plan again') return result;
  }
}

/**
 * The step's plan and send in one local activity, inside the workflow task that found the step due:
 * it spares Temporal an activity task, a workflow task and their events per message. What it cannot
 * settle (a pause, quiet hours, a policy changed under the send, a provider down or slow to take
 * the message, another attempt holding the send) goes back to planning and to the ordinary
 * activity; the delivery ledger's idempotency key makes that retry a no-op if this attempt sent.
 */
async function firstAttempt<C extends CampaignType, S>(
  run: JourneyRun<C, S>,
  request: SendRequest,
): Promise<SendResult | { plan?: SendPlan }> {
  if (run.exit) return 'exited';
  run.moveTo(`sending_${request.step}`, `Sending ${request.summary}`, 'query-only');
  run.sendingNow = `${request.step}:${request.channel}`;
  let attempt: Awaited<ReturnType<typeof firstAttempts.planThenSend>> | 'exited' | 'unreachable';
  try {
    attempt = await dispatch(run, request, (deliveryRequest, cancellationType) =>
      firstAttempts.planThenSend.executeWithOptions(
        {
          startToCloseTimeout: '45 seconds',
          summary: request.summary,
          ...(cancellationType ? { cancellationType } : {}),
        },
        [{ channel: request.channel, atMs: Date.now(), request: deliveryRequest, firstAttempt: FIRST_ATTEMPT }],
      ),
    );
  } catch (error) {
    if (!worthRetrying(error)) throw error;
    run.record('wait', `${request.summary}: the first attempt did not settle (${causeOf(error)}); retrying`);
    // The journey sees the signals that came during the attempt only once its workflow task ends:
    // a tick lets an exit in before the retry could reach the provider.
    await sleep(1, { summary: `${request.summary}: letting in what came during the first attempt` });
    if (run.exit) return abandon(run, request);
    return {};
  } finally {
    run.sendingNow = null;
  }
  if (attempt === 'exited' || attempt === 'unreachable') return attempt;
  const { plan, outcome } = attempt;
  if (plan.kind !== 'go' || !outcome) return { plan };
  const settled = settle(run, request, outcome, 'in doubt');
  return settled === 'plan again' ? {} : settled;
}

/**
 * What a send's outcome makes of the step; a deferred one is planned again. `in doubt`: the send was
 * made while the journey could see no signal, so its credit holds only if no exit came before it.
 */
function settle<C extends CampaignType, S>(
  run: JourneyRun<C, S>,
  request: SendRequest,
  outcome: SendOutcome,
  credit: 'certain' | 'in doubt',
): SendResult | 'plan again' {
  if (outcome.status === 'deferred') {
    // The policy changed between the plan and an attempt (a pause, quiet hours after a long outage): plan again.
    run.record('wait', `${request.summary}: deferred (${outcome.reason})`);
    return 'plan again';
  }
  if (outcome.status === 'sent') {
    // A send already at the provider when the exit arrived still went out, but it did not earn the exit.
    const credited = run.exit === null;
    const label = `${request.step} (${request.channel})`;
    run.creditInDoubt =
      credited && credit === 'in doubt' && outcome.acceptedAtMs !== undefined
        ? { label, acceptedAtMs: outcome.acceptedAtMs, previous: run.state.lastMessage }
        : null;
    run.state.messagesSent += 1;
    if (credited) run.state.lastMessage = label;
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

/**
 * A held-out journey's step: recorded as `held_out`, not sent. It counts as the journey's last
 * message for the timing of the next step, so the holdout waits exactly as the treated journeys do.
 */
async function holdBack<C extends CampaignType, S>(run: JourneyRun<C, S>, request: SendRequest): Promise<SendResult> {
  await bookkeeping(run).recordHeldOut({
    idempotencyKey: deliveryKeyOf(run, request),
    campaign: run.campaign,
    customerId: run.customerId,
    step: request.step,
    channel: request.channel,
  });
  run.lastMessageAtMs = Date.now();
  run.record('skip', `${request.summary}: held out, not sent (holdout group)`);
  return 'skipped';
}

/**
 * Plans a send until the policy allows it: 'go', or why not (the journey exited, the customer is
 * unreachable). `known`: a plan the first attempt made, acted on before planning again.
 */
async function holdUntilAllowed<C extends CampaignType, S>(
  run: JourneyRun<C, S>,
  request: SendRequest,
  known?: SendPlan,
): Promise<'go' | 'exited' | 'unreachable'> {
  let given = known;
  for (;;) {
    if (run.exit) return 'exited';
    const plan: SendPlan =
      given ??
      (await bookkeeping(run).planSend({
        campaign: run.campaign,
        customerId: run.customerId,
        channel: request.channel,
        atMs: Date.now(),
      }));
    given = undefined;
    if (plan.kind === 'go') return run.exit ? 'exited' : 'go';
    // An order or cancel that arrived while the plan was being made ends the step here.
    if (run.exit && run.takes('exit-before-continue-as-new')) return 'exited';
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
    if (run.takes('quiet-hours-guard')) await continueAsNewIfDue(run);
    run.moveTo('quiet_hours', `Quiet hours: ${request.step} waits until ${plan.until}`);
    run.record('wait', `quiet hours: ${request.step} by ${request.channel} waits until ${plan.until}`);
    await condition(() => run.exit !== null, Math.max(MIN_HOLD_MS, plan.untilMs - Date.now()), {
      summary: `quiet hours: ${request.step} waits until ${plan.until}`,
    });
  }
}

/**
 * Makes a send attempt (`call`: the activity, or the first attempt's local activity). An exit that
 * arrives meanwhile cancels it: a send waiting for its next attempt never reaches the provider, and
 * one in flight reports what became of it.
 */
async function dispatch<C extends CampaignType, S, T>(
  run: JourneyRun<C, S>,
  request: SendRequest,
  call: (deliveryRequest: DeliveryRequest, cancellationType?: ActivityCancellationType) => Promise<T>,
): Promise<T | 'exited' | 'unreachable'> {
  const deliveryRequest: DeliveryRequest = {
    idempotencyKey: deliveryKeyOf(run, request),
    campaign: run.campaign,
    customerId: run.customerId,
    step: request.step,
    atMs: Date.now(),
    template: request.template,
    ...(run.entryEventAt === null ? {} : { entryEventAtMs: Date.parse(run.entryEventAt) }),
  };
  const cancellable = run.takes('cancel-send-on-exit');
  const scope = new CancellationScope();
  let settled = false;
  if (cancellable) {
    void condition(() => settled || run.exit !== null).then(() => {
      if (!settled) scope.cancel();
    });
  }
  try {
    return await scope.run(() =>
      call(deliveryRequest, cancellable ? ActivityCancellationType.WAIT_CANCELLATION_COMPLETED : undefined),
    );
  } catch (error) {
    // Asked to stop because the journey ended, the send either acknowledged it or failed its last
    // attempt (Temporal does not retry an attempt once a cancellation is requested): either way it is over.
    if (cancellable && run.exit && (isCancellation(error) || error instanceof TemporalFailure))
      return abandon(run, request);
    // The provider refused this recipient for good (invalid number, unsubscribed, SMTP 5xx): the ledger
    // has recorded it; the journey treats the channel as unreachable and goes on.
    const refusal = permanentRefusal(error);
    if (!refusal) throw error;
    run.unreachableSteps += 1;
    run.record('skip', `${request.summary}: rejected by the provider (${refusal.message})`);
    return 'unreachable';
  } finally {
    settled = true;
  }
}

/** The journey ended before the send reached the provider: the ledger says it will never be made. */
async function abandon<C extends CampaignType, S>(run: JourneyRun<C, S>, request: SendRequest): Promise<'exited'> {
  await bookkeeping(run).abandonSend({
    idempotencyKey: deliveryKeyOf(run, request),
    campaign: run.campaign,
    customerId: run.customerId,
    step: request.step,
    channel: request.channel,
  });
  run.record('skip', `${request.summary}: cancelled before it reached the provider (the journey ended)`);
  return 'exited';
}

function deliveryKeyOf<C extends CampaignType, S>(run: JourneyRun<C, S>, request: SendRequest): string {
  return deliveryKey(run.campaign, run.customerId, run.state.journeyId, request.step, request.channel);
}

/** The provider's permanent refusal of the recipient, if that is why the attempt failed. */
function permanentRefusal(error: unknown): ApplicationFailure | null {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && cause.type === PERMANENT_DELIVERY_ERROR ? cause : null;
}

/** A failed first attempt the activity may mend: not a cancellation, not a permanent refusal. */
function worthRetrying(error: unknown): boolean {
  return error instanceof TemporalFailure && !isCancellation(error) && permanentRefusal(error) === null;
}

function causeOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? (error.cause ?? error) : error;
  return cause instanceof Error ? cause.message : String(cause);
}
