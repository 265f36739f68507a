import type { Client } from '@temporalio/client';

/** Workflow start times (ms) by workflow ID for everything matching `query`. */
export async function startTimes(client: Client, query: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for await (const execution of client.workflow.list({ query, pageSize: 1000 })) {
    times.set(execution.workflowId, execution.startTime.getTime());
  }
  return times;
}

export async function countWorkflows(client: Client, query: string): Promise<number> {
  return (await client.workflow.count(query)).count;
}

/** Polls until `count(query)` reaches `expected`; returns the last count seen when time runs out. */
export async function waitForCount(
  client: Client,
  query: string,
  expected: number,
  timeoutMs: number,
  onProgress?: (count: number) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = 0;
  while (Date.now() < deadline) {
    count = await countWorkflows(client, query);
    onProgress?.(count);
    if (count >= expected) return count;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return count;
}

/**
 * Terminates every running workflow on the given task queues with one batch operation (the dev
 * server runs one at a time). It proceeds in the background; the command to check it is printed.
 */
export async function terminateRunning(client: Client, taskQueues: string[], jobId: string): Promise<string> {
  const query =
    `TaskQueue IN (${taskQueues.map((queue) => JSON.stringify(queue)).join(', ')}) ` +
    `AND ExecutionStatus = "Running"`;
  if ((await countWorkflows(client, query)) === 0) return 'nothing left running';
  await client.workflowService.startBatchOperation({
    namespace: client.options.namespace,
    jobId,
    visibilityQuery: query,
    reason: 'benchmark finished',
    terminationOperation: { identity: 'bench' },
  });
  return `terminating what is left in the background (temporal batch describe --job-id ${jobId})`;
}
