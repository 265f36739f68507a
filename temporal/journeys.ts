import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CustomerEvent } from '../contract/events';
import {
  CURRENT_WORKFLOW_VERSION,
  WORKFLOW_TYPES,
  cancelJourneySignal,
  customerEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
  searchAttributeKeys,
  type CampaignType,
  type JourneyInput,
  type JourneyResult,
  type JourneyState,
} from '../workflows/definitions';

/**
 * The one place that starts, signals and inspects journeys. bridge/ and admin/ call these helpers
 * and never call client.workflow directly.
 */

const summaries: Record<CampaignType, string> = {
  'cart-abandonment': 'Cart abandonment journey',
  'browse-abandonment': 'Browse abandonment journey',
  'churn-retention': 'Churn retention journey',
};

type JourneyWorkflow = (input: JourneyInput) => Promise<JourneyResult>;

export class JourneyClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  /** Delivers the event to the customer's journey, starting one if none is running. */
  async startOrSignal(campaign: CampaignType, event: CustomerEvent): Promise<void> {
    await this.client.workflow.signalWithStart<JourneyWorkflow, [CustomerEvent]>(WORKFLOW_TYPES[campaign], {
      workflowId: journeyWorkflowId(campaign, event.customerId),
      taskQueue: this.taskQueue,
      args: [{ version: CURRENT_WORKFLOW_VERSION, customerId: event.customerId }],
      signal: customerEventSignal,
      signalArgs: [event],
      typedSearchAttributes: [
        { key: searchAttributeKeys.customerId, value: event.customerId },
        { key: searchAttributeKeys.campaignType, value: campaign },
        { key: searchAttributeKeys.journeyStage, value: 'entered' },
      ],
      staticSummary: `${summaries[campaign]} for customer ${event.customerId}`,
      staticDetails: `Started by ${event.type} event ${event.eventId}, which occurred at ${event.occurredAt}.`,
    });
  }

  /** Delivers the event only to a running journey. Returns false when there is none. */
  async signalIfRunning(campaign: CampaignType, event: CustomerEvent): Promise<boolean> {
    return this.ifRunning(() => this.client.workflow.getHandle(journeyWorkflowId(campaign, event.customerId)).signal(customerEventSignal, event));
  }

  /** Ends a running journey with outcome "cancelled". Returns false when there is none. */
  async cancel(campaign: CampaignType, customerId: string, reason: string): Promise<boolean> {
    return this.ifRunning(() => this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId)).signal(cancelJourneySignal, { reason }));
  }

  async state(campaign: CampaignType, customerId: string): Promise<JourneyState> {
    return this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId)).query(journeyStateQuery);
  }

  private async ifRunning(action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }
}
