import { applyCustomerUpdated } from '../../platform/db/profiles';
import { emailOf, SCORE } from './cast';
import { checkEqual } from './checks';
import { CHURN, sleep, until, type DrillContext } from './context';
import { endedJourneys, launchJourneyIdLike, sentAfter } from './ledger';

interface ErrorBody {
  error?: string;
}
interface Cancellation {
  cancelledAt: string;
  progress: { state: string; told: number; passes: number; stillRunning: number | null } | null;
}

/**
 * Cancels churn-retention while the launch's journeys wait for their day-3 SMS, measures how long
 * until every one of them has ended `campaign_cancelled`, then checks that nothing was sent after
 * the cancel, that a new entry is refused, and that starting the campaign again admits one.
 */
export async function cancelTheCampaign(context: DrillContext, launchId: string): Promise<void> {
  const { admin, checks, report, say, db, runId } = context;
  const ours = `drill-${runId}-%`;
  const eligible = context.cast.filter((customer) => customer.kind === 'eligible').length;
  const busy = context.cast.filter((customer) => customer.kind === 'already_in_journey').length;
  const before = await endedJourneys(db, launchJourneyIdLike(launchId), ours);
  checks.push(checkEqual('launch journeys running before the cancel', eligible, before.running));

  context.memory.phase = 'cancel';
  say(`cancelling ${CHURN} with ${before.running} launch journeys running`);
  const requestedAt = Date.now();
  const cancel = await admin.request<Cancellation>('POST', `/campaigns/${CHURN}/cancel`, {
    reason: 'launch and cancel drill',
  });
  checks.push(checkEqual('POST /campaigns/churn-retention/cancel', 202, cancel.status));
  report.cancel.cancelledAt = cancel.body.cancelledAt ?? null;
  report.cancel.launchJourneys = before.total;

  const ended = await until(
    context,
    'every launch journey to end',
    () => endedJourneys(db, launchJourneyIdLike(launchId), ours),
    (journeys) => journeys.running === 0,
    250,
  );
  report.cancel.allEndedInMs = Date.now() - requestedAt;
  say(`every launch journey ended in ${(report.cancel.allEndedInMs / 1000).toFixed(1)} s`);
  checks.push(
    checkEqual(
      'launch journeys after the cancel',
      { running: 0, campaignCancelled: eligible, otherOutcome: 0 },
      { running: ended.running, campaignCancelled: ended.campaignCancelled, otherOutcome: ended.otherOutcome },
    ),
  );
  const operatorStarted = await until(
    context,
    'the journeys started before the launch to end',
    () => endedJourneys(db, 'admin-%', ours),
    (journeys) => journeys.running === 0,
    250,
  );
  checks.push(
    checkEqual(
      'journeys started before the launch, after the cancel',
      { running: 0, campaignCancelled: busy },
      { running: operatorStarted.running, campaignCancelled: operatorStarted.campaignCancelled },
    ),
  );

  const progress = await until(
    context,
    'the cancellation to be done',
    async () => (await admin.request<Cancellation>('GET', `/campaigns/${CHURN}/cancellation`)).body.progress,
    (value) => value?.state === 'done',
    500,
  );
  report.cancel.cancellationDoneInMs = Date.now() - requestedAt;
  report.cancel.cancellationProgress = progress;

  await sleep(2_000); // a send racing the cancel would be recorded by now
  report.cancel.sentAfterCancel = await sentAfter(db, ours, new Date(cancel.body.cancelledAt));
  checks.push(checkEqual('sends recorded after the cancel', 0, report.cancel.sentAfterCancel));

  const fresh = `drill-${runId}-after-cancel`;
  await applyCustomerUpdated(db, {
    eventId: `drill-profile-${fresh}`,
    type: 'customer.updated',
    customerId: fresh,
    occurredAt: new Date().toISOString(),
    properties: { email: emailOf(runId, fresh), emailOptIn: true, smsOptIn: false },
  });
  const start = () =>
    admin.request<ErrorBody>('POST', `/campaigns/${CHURN}/journeys`, { customerId: fresh, score: SCORE });
  const refused = await start();
  checks.push(
    checkEqual('a new entry while cancelled', [409, 'campaign_cancelled'], [refused.status, refused.body.error]),
  );
  const refusedLaunch = await admin.request<ErrorBody>('POST', `/campaigns/${CHURN}/launches`, {
    customers: [{ customerId: fresh, score: SCORE }],
  });
  checks.push(
    checkEqual(
      'a new launch while cancelled',
      [409, 'campaign_cancelled'],
      [refusedLaunch.status, refusedLaunch.body.error],
    ),
  );
  const reopened = await admin.request<{ reopened?: boolean }>('POST', `/campaigns/${CHURN}/start`);
  checks.push(
    checkEqual('POST /campaigns/churn-retention/start', [200, true], [reopened.status, reopened.body.reopened]),
  );
  const admitted = await start();
  checks.push(checkEqual('a new entry once started again', 201, admitted.status));
}
