import { Client, type Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { JourneyResult } from '../../contract/journeys';
import { loadConfig, temporalClientConfigSchema } from '../../platform/config';
import { connectTemporal } from '../../platform/temporal/connection';
import { temporalConnectionOptions } from '../../platform/temporal/connection-options';

/** A connection to the stack's Temporal, set up as the app's processes would from the environment. */
export function connectToStackTemporal(connectTimeout?: number): Promise<Connection> {
  return connectTemporal({ ...temporalConnectionOptions(loadConfig(temporalClientConfigSchema)), connectTimeout });
}

/** Ends every workflow still running on a test's own task queue, so none is left waiting in the Web UI. */
export async function terminateJourneysOn(taskQueue: string): Promise<number> {
  const connection = await connectToStackTemporal();
  let terminated = 0;
  try {
    const client = new Client({ connection });
    for await (const execution of client.workflow.list({
      query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
    })) {
      await client.workflow.getHandle(execution.workflowId, execution.runId).terminate('test finished');
      terminated += 1;
    }
  } finally {
    await connection.close();
  }
  return terminated;
}

/**
 * How the workflow ended, waiting at most `timeoutMs`: a test waiting on a journey that never ends
 * fails, saying where the journey stands (its status and last history events), instead of hanging.
 */
export async function resultWithin(client: Client, workflowId: string, timeoutMs = 120_000): Promise<JourneyResult> {
  const handle = client.workflow.getHandle(workflowId);
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    return (await client.withAbortSignal(deadline, () => handle.result())) as JourneyResult;
  } catch (error) {
    if (!deadline.aborted) throw error;
    const description = await handle.describe();
    const { events } = await handle.fetchHistory();
    const last = (events ?? [])
      .slice(-6)
      .map((event) =>
        (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, ''),
      );
    throw new Error(
      `${workflowId} did not end within ${timeoutMs} ms: ${description.status.name}, ` +
        `${description.raw.pendingActivities?.length ?? 0} activities pending; last events ${last.join(', ')}`,
      { cause: error },
    );
  }
}
