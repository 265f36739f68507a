import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { CAMPAIGN_CANCEL_WORKFLOW, CAMPAIGN_LAUNCH_WORKFLOW } from '../../contract/campaign-workflows';
import { stackEnv } from './services';

const outDir = join(__dirname, '..', 'fixtures', 'histories');
const temporalCli = join(
  process.env.CAMPAIGNS_HOME ?? join(homedir(), '.cache', 'triggered-campaigns'),
  'bin',
  'temporal',
);

/**
 * With RECORD_HISTORIES=1, writes the histories of the launch and cancel workflows a test ran on
 * `taskQueue` into test/fixtures/histories, one per way they ended (`campaign-launch-completed.json`,
 * `campaign-cancel-done.json`…), for the replay test. Re-record only on purpose, like the journeys'.
 */
export async function recordCampaignHistoriesIfAsked(client: Client, taskQueue: string): Promise<string[]> {
  if (process.env.RECORD_HISTORIES !== '1') return [];
  const recorded: string[] = [];
  const query =
    `TaskQueue = "${taskQueue}" AND ExecutionStatus = "Completed" AND ` +
    `WorkflowType IN ("${CAMPAIGN_LAUNCH_WORKFLOW}", "${CAMPAIGN_CANCEL_WORKFLOW}")`;
  for await (const execution of client.workflow.list({ query })) {
    const { state } = (await client.workflow.getHandle(execution.workflowId, execution.runId).result()) as {
      state: string;
    };
    const kind = execution.type === CAMPAIGN_LAUNCH_WORKFLOW ? 'campaign-launch' : 'campaign-cancel';
    const name = `${kind}-${state.replace(/_/g, '-')}`;
    if (recorded.includes(name)) continue;
    const json = execFileSync(
      temporalCli,
      [
        'workflow',
        'show',
        '--address',
        stackEnv.temporal,
        '--workflow-id',
        execution.workflowId,
        '--run-id',
        execution.runId,
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(join(outDir, `${name}.json`), json);
    recorded.push(name);
  }
  return recorded;
}
