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
export async function waitForCount(client: Client, query: string, expected: number, timeoutMs: number, onProgress?: (count: number) => void): Promise<number> {
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

/** Terminates every running workflow on the benchmark's task queues with one batch operation. */
export async function terminateRunning(client: Client, query: string, jobId: string): Promise<void> {
  const running = await countWorkflows(client, `(${query}) AND ExecutionStatus = "Running"`);
  if (running === 0) return;
  await client.workflowService.startBatchOperation({
    namespace: client.options.namespace,
    jobId,
    visibilityQuery: `(${query}) AND ExecutionStatus = "Running"`,
    reason: 'benchmark finished',
    terminationOperation: { identity: 'bench' },
  });
}
