import { Client, Connection } from '@temporalio/client';
import { stackEnv } from './services';

/** Ends every workflow still running on a test's own task queue, so none is left waiting in the Web UI. */
export async function terminateJourneysOn(taskQueue: string): Promise<number> {
  const connection = await Connection.connect({ address: stackEnv.temporal });
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
