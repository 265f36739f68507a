import type { Client } from '@temporalio/client';

/** GET /campaigns/{campaign}/launches/{launchId}, as the drill reads it. */
export interface LaunchView {
  launchId: string;
  state: string | null;
  audienceSize: number;
  duplicates: number;
  totals: { pending: number; entered: number; skipped: number; failed: number; reasons: Record<string, number> };
  links: { self: string; temporalUi: string };
}

export const LAUNCH_ENDED = ['completed', 'cancelled', 'campaign_cancelled'];

/** Settled members over the audience: 0 to 1. */
export const progressOf = (launch: LaunchView) =>
  launch.audienceSize === 0
    ? 0
    : (launch.totals.entered + launch.totals.skipped + launch.totals.failed) / launch.audienceSize;

/**
 * What the Temporal Web UI shows for the launch workflow: its status (describe) and its current
 * details, the text of the User Metadata tab (the `__temporal_workflow_metadata` query the UI sends).
 */
export async function launchWorkflowDetails(
  client: Client,
  workflowId: string,
): Promise<{ status: string; currentDetails: string }> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return { status: description.status.name, currentDetails: metadata.currentDetails ?? '' };
}
