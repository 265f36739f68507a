import { join } from 'node:path';
import { checkEqual, checkThat, exactlyOnce } from './checks';
import { expectedTotals, writeAudienceFile, SCORE, type DrillCustomer } from './cast';
import { CHURN, OutOfTime, sleep, until, type DrillContext } from './context';
import type { LaunchFaults } from './faults';
import { endedJourneys, launchEmailsSent, launchJourneysByCustomer, launchSends } from './ledger';
import { LAUNCH_ENDED, launchWorkflowDetails, progressOf, type LaunchView } from './launch-view';
import { launchWorkflowId } from '../../platform/temporal/campaigns';

const POLL_MS = 250;
const PROGRESS_EVERY_MS = 10_000;
const PARALLEL_STARTS = 8;

const customersOf = (context: DrillContext, kind: DrillCustomer['kind']) =>
  context.cast.filter((customer) => customer.kind === kind).map((customer) => customer.customerId);

/** Customers already in a churn-retention journey before the launch: started by an operator through the admin API. */
export async function startJourneysBeforeTheLaunch(context: DrillContext): Promise<void> {
  const busy = customersOf(context, 'already_in_journey');
  context.say(`starting ${busy.length} churn-retention journeys through the admin API before the launch`);
  const statuses = new Map<number, number>();
  let next = 0;
  const startNext = async () => {
    for (let i = next++; i < busy.length; i = next++) {
      const answer = await context.admin.request('POST', `/campaigns/${CHURN}/journeys`, {
        customerId: busy[i],
        score: SCORE,
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_STARTS }, startNext));
  context.checks.push(
    checkEqual(
      'journeys started before the launch (admin API answers)',
      { 201: busy.length },
      Object.fromEntries(statuses),
    ),
  );
  await until(
    context,
    'the journeys started before the launch to be admitted',
    () => endedJourneys(context.db, 'admin-%', `drill-${context.runId}-%`),
    (journeys) => journeys.total >= busy.length,
    500,
  );
}

/** Writes the audience file, uploads it streamed and follows the launch to its end, injecting the faults on the way. */
export async function runTheLaunch(context: DrillContext, faults: LaunchFaults): Promise<LaunchView> {
  const { admin, report, say, options } = context;
  const file = join(context.logDir, 'audience.jsonl');
  const { lines } = await writeAudienceFile(file, context.cast);
  report.audience.lines = lines;
  say(`audience file: ${lines} lines (${lines - context.cast.length} duplicates) in ${file}`);

  context.memory.phase = 'launch';
  const uploadStarted = Date.now();
  const created = await admin.upload<LaunchView>(`/campaigns/${CHURN}/launches?ratePerSecond=${options.rate}`, file);
  report.launch.uploadMs = Date.now() - uploadStarted;
  if (created.status !== 201)
    throw new Error(`the upload was answered ${created.status}: ${JSON.stringify(created.body).slice(0, 400)}`);
  const launchedAt = Date.now();
  let view = created.body;
  report.launch.launchId = view.launchId;
  report.launch.webUi = view.links.temporalUi;
  say(`launch ${view.launchId}: ${view.audienceSize} customers, ${view.duplicates} duplicate lines, ${options.rate}/s`);
  say(`launch workflow in the Web UI: ${view.links.temporalUi}`);

  let saidAt = Date.now();
  for (;;) {
    const answer = await admin.request<LaunchView>('GET', view.links.self);
    if (answer.status !== 200) {
      // PostgreSQL restarting under the admin API, say: asked again at the next poll.
      say(`GET ${view.links.self} answered ${answer.status}; asking again`);
      if (Date.now() > context.deadline) throw new OutOfTime('ran out of time during the launch');
      await sleep(1_000);
      continue;
    }
    view = answer.body;
    report.launch.view = view;
    if (LAUNCH_ENDED.includes(view.state ?? '')) break;
    await faults.onProgress(progressOf(view));
    await faults.keepWorkerRunning();
    if (Date.now() - saidAt >= PROGRESS_EVERY_MS) {
      saidAt = Date.now();
      const { entered, skipped, failed, pending } = view.totals;
      say(
        `launch ${view.state ?? '(Temporal not answering)'}: entered ${entered}, skipped ${skipped}, ` +
          `failed ${failed}, pending ${pending}`,
      );
    }
    if (Date.now() > context.deadline) throw new OutOfTime('ran out of time during the launch');
    await sleep(POLL_MS);
  }
  report.launch.durationMs = Date.now() - launchedAt;
  report.launch.entriesPerSecond = view.audienceSize / (report.launch.durationMs / 1000);
  say(`launch ${view.state} in ${(report.launch.durationMs / 1000).toFixed(1)} s`);
  return view;
}

/** The launch's own verdict: its state and totals, the faults, each eligible customer's journey, the Web UI. */
export async function checkTheLaunch(context: DrillContext, view: LaunchView, faults: LaunchFaults): Promise<void> {
  const { checks, report } = context;
  const expected = expectedTotals(context.cast);
  checks.push(checkEqual('launch state', 'completed', view.state));
  checks.push(
    checkEqual(
      'audience size, duplicate lines',
      { audienceSize: expected.audienceSize, duplicates: expected.duplicates },
      { audienceSize: view.audienceSize, duplicates: view.duplicates },
    ),
  );
  checks.push(
    checkEqual(
      'launch totals',
      { pending: 0, entered: expected.entered, skipped: expected.skipped, failed: 0, reasons: expected.reasons },
      view.totals,
    ),
  );
  checks.push(
    checkEqual(
      'faults during the launch',
      faults.planned,
      faults.injected.map((fault) => fault.kind),
    ),
  );

  const eligible = customersOf(context, 'eligible');
  const journeys = exactlyOnce(eligible, await launchJourneysByCustomer(context.db, view.launchId));
  checks.push(
    checkEqual(
      'launch journeys in the journey log (one per eligible customer, none for the others)',
      { once: eligible.length, missing: 0, repeated: 0, unexpected: 0 },
      journeys,
    ),
  );

  const workflow = await launchWorkflowDetails(context.client, launchWorkflowId(CHURN, view.launchId));
  report.launch.workflow = workflow;
  checks.push(
    checkThat(
      'launch workflow in the Web UI: completed, details show the entries',
      `COMPLETED, "Completed. Entered ${expected.entered}…"`,
      `${workflow.status}, "${workflow.currentDetails.slice(0, 60)}…"`,
      workflow.status === 'COMPLETED' && workflow.currentDetails.startsWith(`Completed. Entered ${expected.entered},`),
    ),
  );
}

/** Waits for every entered customer's day-0 email, then checks the ledger: exactly one each, nothing else. */
export async function checkTheEmails(context: DrillContext, launchId: string): Promise<void> {
  const eligible = customersOf(context, 'eligible');
  context.memory.phase = 'day-0 emails';
  const started = Date.now();
  context.report.sends.day0Sent = await until(
    context,
    'every day-0 email',
    () => launchEmailsSent(context.db, launchId),
    (sent) => sent >= eligible.length,
    1_000,
  ).catch((error: unknown) => {
    if (!(error instanceof OutOfTime)) throw error;
    context.say(`not every day-0 email was sent in time: ${error.message}`);
    return launchEmailsSent(context.db, launchId);
  });
  context.report.sends.waitedMs = Date.now() - started;
  await sleep(2_000); // a second email to anyone would be recorded by now
  const sends = await launchSends(context.db, launchId);
  context.report.sends.day0Sent = [...sends.day0SettledByCustomer.values()].reduce((sum, count) => sum + count, 0);
  context.report.sends.day0Unknown = sends.day0Unknown;
  if (sends.day0Unknown > 0)
    context.say(
      `${sends.day0Unknown} day-0 email(s) left unknown: in flight when the worker was killed, not sent again ` +
        '(the at-most-once window of docs/DELIVERY.md)',
    );
  context.checks.push(
    checkEqual(
      'day-0 win-back emails settled (ledger, sent or unknown): one per eligible customer, none for the others',
      { once: eligible.length, missing: 0, repeated: 0, unexpected: 0 },
      exactlyOnce(eligible, sends.day0SettledByCustomer),
    ),
  );
  context.checks.push(checkEqual('other ledger rows of the launch before the cancel', 0, sends.otherRows));
}
