import type { Client } from '@temporalio/client';
import { CAMPAIGN_OF, type ChaosCustomer } from './cast';

export interface JourneyCounts {
  running: number;
  closed: number;
}

/**
 * The campaigns the stories play. An order also starts a post-purchase journey, which waits days
 * for its first message: the run does not wait for it, and ends it with the run.
 */
const STORY_CAMPAIGNS = [...new Set(Object.values(CAMPAIGN_OF))];

/**
 * The stories' journeys on the run's task queue, from Temporal visibility; null while Temporal is
 * unreachable.
 */
export async function journeyCounts(client: Client, taskQueue: string): Promise<JourneyCounts | null> {
  try {
    const campaigns = STORY_CAMPAIGNS.map((campaign) => `"${campaign}"`).join(', ');
    const query = `TaskQueue = "${taskQueue}" AND CampaignType IN (${campaigns})`;
    const [all, running] = await Promise.all([
      client.workflow.count(query),
      client.workflow.count(`${query} AND ExecutionStatus = "Running"`),
    ]);
    return { running: running.count, closed: all.count - running.count };
  } catch {
    return null;
  }
}

/** True once every customer's journey (`<campaign>:<customerId>`) has a run that ended. */
export async function everyJourneyEnded(client: Client, taskQueue: string, cast: ChaosCustomer[]): Promise<boolean> {
  try {
    const ended = new Set<string>();
    for await (const execution of client.workflow.list({ query: `TaskQueue = "${taskQueue}"`, pageSize: 1000 })) {
      if (execution.status.name !== 'RUNNING') ended.add(execution.workflowId);
    }
    return cast.every((customer) => ended.has(`${CAMPAIGN_OF[customer.story]}:${customer.customerId}`));
  } catch {
    return false;
  }
}

/** Journeys left running (after a timeout, or outside the stories) would wait forever on a task queue nobody polls. */
export async function terminateLeftovers(
  client: Client,
  taskQueue: string,
  reason = 'chaos run timed out',
): Promise<void> {
  try {
    for await (const execution of client.workflow.list({
      query: `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`,
    })) {
      await client.workflow
        .getHandle(execution.workflowId, execution.runId)
        .terminate(reason)
        .catch(() => undefined);
    }
  } catch {
    // Temporal unreachable: the journeys stay, on a task queue of their own.
  }
}
