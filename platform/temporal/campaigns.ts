import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { searchAttributeKeys, type CampaignType } from '../../contract/journeys';
import {
  CAMPAIGN_CANCEL_WORKFLOW,
  CAMPAIGN_LAUNCH_WORKFLOW,
  campaignCancelProgressQuery,
  cancelLaunchSignal,
  launchProgressQuery,
  pauseLaunchSignal,
  resumeLaunchSignal,
  type CampaignCancelInput,
  type CampaignCancelProgress,
  type LaunchInput,
  type LaunchProgress,
} from '../../contract/campaign-workflows';

type CancelWorkflow = (input: CampaignCancelInput) => Promise<CampaignCancelProgress>;
type LaunchWorkflow = (input: LaunchInput) => Promise<LaunchProgress>;

export const campaignCancelWorkflowId = (campaign: CampaignType, cancelledAtMs: number) =>
  `campaign-cancel:${campaign}:${cancelledAtMs}`;
export const launchWorkflowId = (campaign: CampaignType, launchId: string) => `launch:${campaign}:${launchId}`;

export type LaunchControl = 'pause' | 'resume' | 'cancel';

/** Starts and inspects the campaign-wide workflows: a campaign's cancellation and its launches. */
export class CampaignWorkflows {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    /** How long a query may wait for a worker to answer. */
    private readonly queryTimeoutMs = 5_000,
  ) {}

  /** Starts the workflow that ends the campaign's running journeys; the same cancellation starts it once. */
  async startCancellation(campaign: CampaignType, reason: string, cancelledAt: Date): Promise<string> {
    const workflowId = campaignCancelWorkflowId(campaign, cancelledAt.getTime());
    await this.client.workflow.start<CancelWorkflow>(CAMPAIGN_CANCEL_WORKFLOW, {
      workflowId,
      taskQueue: this.taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [{ campaign, reason, cancelledAtMs: cancelledAt.getTime() }],
      typedSearchAttributes: [{ key: searchAttributeKeys.campaignType, value: campaign }],
      staticSummary: `Cancel every ${campaign} journey`,
      staticDetails: `Reason: ${reason}`,
    });
    return workflowId;
  }

  async cancellationProgress(workflowId: string): Promise<CampaignCancelProgress | null> {
    return this.queryOrNull(workflowId, campaignCancelProgressQuery);
  }

  async startLaunch(input: LaunchInput): Promise<string> {
    const workflowId = launchWorkflowId(input.campaign, input.launchId);
    await this.client.workflow.start<LaunchWorkflow>(CAMPAIGN_LAUNCH_WORKFLOW, {
      workflowId,
      taskQueue: this.taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [input],
      typedSearchAttributes: [{ key: searchAttributeKeys.campaignType, value: input.campaign }],
      staticSummary:
        `Launch of ${input.campaign} for ${input.audienceSize} customers at ${input.ratePerSecond}/s` +
        (input.startAtMs === null ? '' : ` from ${new Date(input.startAtMs).toISOString()}`),
      staticDetails: `Launch ${input.launchId}; its progress is in the current details and the launchProgress query.`,
    });
    return workflowId;
  }

  async launchProgress(campaign: CampaignType, launchId: string): Promise<LaunchProgress | null> {
    return this.queryOrNull(launchWorkflowId(campaign, launchId), launchProgressQuery);
  }

  /** Pauses, resumes or cancels a launch; false when its workflow is no longer running. */
  async controlLaunch(campaign: CampaignType, launchId: string, control: LaunchControl, reason = ''): Promise<boolean> {
    const handle = this.client.workflow.getHandle(launchWorkflowId(campaign, launchId));
    try {
      if ((await handle.describe()).status.name !== 'RUNNING') return false;
      if (control === 'cancel') await handle.signal(cancelLaunchSignal, { reason });
      else await handle.signal(control === 'pause' ? pauseLaunchSignal : resumeLaunchSignal);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  private async queryOrNull<T>(workflowId: string, query: QueryDefinition<T>): Promise<T | null> {
    try {
      return await this.client.withDeadline(Date.now() + this.queryTimeoutMs, () =>
        this.client.workflow.getHandle(workflowId).query(query),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }
}
