import { Client, type Connection } from '@temporalio/client';
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
