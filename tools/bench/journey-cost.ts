import { temporal } from '@temporalio/proto';
import type { EventOf } from '../../contract/events';
import { journeyWorkflowId } from '../../contract/journeys';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import { withoutHoldout } from '../without-holdout';
import { benchApp, phaseEnv, phaseNames, stackCpu, waitForQuietServer, type BenchContext } from './context';
import { cartUpdated, customerUpdated } from './events';
import { createTopics, produceBacklog } from './kafka-load';
import { inPool } from './stats';
import { waitForCount } from './visibility';

export interface JourneyCostResult {
  label: string;
  journeys: number;
  completed: number;
  /** Mean history events of a completed cart journey (three reminders sent). */
  historyEvents: number;
  workflowTasks: number;
  /** The Temporal server's CPU from the first event to the last journey's end, per journey. */
  temporalCpuMsPerJourney: number;
}

/** Reminders a second apart: a cart journey runs to its end (three sends) in seconds. */
const SETTINGS = JSON.stringify(
  withoutHoldout({
    'cart-abandonment': { firstReminderDelay: '1s', secondReminderDelay: '1s', finalReminderDelay: '1s' },
  }),
);

/**
 * What a completed cart journey costs Temporal, by one code version's bridge and worker: its history
 * events and workflow tasks, and the server's CPU time per journey.
 */
export async function measureJourneyCost(
  context: BenchContext,
  label: string,
  count: number,
  root?: string,
  round = 0,
): Promise<JourneyCostResult> {
  const names = phaseNames(context, `cost-${label}${round}`);
  const customerId = (index: number) => `cost-${label}${round}-${context.runId}-${index}`;
  await createTopics(context.admin, [names.topic, names.dlq], context.partitions);
  await inPool(count, 8, async (index) => {
    const email = `${customerId(index)}@${names.taskQueue}.bench.example`;
    await applyCustomerUpdated(
      context.db,
      customerUpdated(context.runId, customerId(index), email, new Date()) as EventOf<'customer.updated'>,
    );
  });
  const env = phaseEnv(context, names, { CAMPAIGN_SETTINGS: SETTINGS });
  const worker = benchApp(context, 'worker', `cost-${label}${round}-worker`, env, root);
  const bridge = benchApp(context, 'bridge', `cost-${label}${round}-bridge`, env, root);
  await worker.start();
  await bridge.start();
  let completed: number;
  let cpu: ReturnType<ReturnType<typeof stackCpu>>;
  try {
    await waitForQuietServer(context);
    const stack = stackCpu();
    await produceBacklog(context.producer, names.topic, count, (index, now) =>
      cartUpdated(context.runId, customerId(index), now),
    );
    completed = await waitForCount(
      context.client,
      `${names.query} AND ExecutionStatus = "Completed"`,
      count,
      Math.max(120_000, count * 1_000),
    );
    cpu = stack();
  } finally {
    await bridge.stop();
    await worker.stop();
  }
  let events = 0;
  let tasks = 0;
  await inPool(count, 8, async (index) => {
    const history = await context.client.workflow
      .getHandle(journeyWorkflowId('cart-abandonment', customerId(index)))
      .fetchHistory();
    events += history.events?.length ?? 0;
    tasks += (history.events ?? []).filter(
      (event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    ).length;
  });
  const result = {
    label,
    journeys: count,
    completed,
    historyEvents: events / count,
    workflowTasks: tasks / count,
    temporalCpuMsPerJourney: (cpu.temporalCpuSeconds * 1000) / count,
  };
  context.say(
    `cost     ${label} (round ${round + 1}): ${completed}/${count} cart journeys completed; ` +
      `per journey ${result.historyEvents.toFixed(1)} history events, ` +
      `${result.workflowTasks.toFixed(1)} workflow tasks, ` +
      `${result.temporalCpuMsPerJourney.toFixed(1)} ms of Temporal server CPU`,
  );
  return result;
}
