import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CustomerEvent } from '../contract/events';
import type { cartAbandonmentWorkflow } from '../workflows';
import {
  CURRENT_WORKFLOW_VERSION,
  customerEventSignal,
  journeyStateQuery,
  journeyWorkflowId,
  searchAttributeKeys,
  type CampaignType,
  type CartAbandonmentSettings,
  type JourneyState,
} from '../workflows/definitions';

/**
 * The one place that starts, signals and inspects journeys. bridge/ and admin/ call these helpers
 * and never call client.workflow directly.
 */

export interface CampaignSettings {
  'cart-abandonment': CartAbandonmentSettings;
}

const workflowTypes = {
  'cart-abandonment': 'cartAbandonmentWorkflow',
} as const satisfies Partial<Record<CampaignType, string>>;

export type StartableCampaign = keyof typeof workflowTypes;

const summaries: Record<StartableCampaign, (customerId: string) => string> = {
  'cart-abandonment': (customerId) => `Cart abandonment journey for customer ${customerId}`,
};

export class JourneyClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly settings: CampaignSettings,
  ) {}

  /** Delivers the event to the customer's journey, starting one if none is running. */
  async startOrSignal(campaign: StartableCampaign, event: CustomerEvent): Promise<void> {
    await this.client.workflow.signalWithStart<typeof cartAbandonmentWorkflow, [CustomerEvent]>(workflowTypes[campaign], {
      workflowId: journeyWorkflowId(campaign, event.customerId),
      taskQueue: this.taskQueue,
      args: [{ version: CURRENT_WORKFLOW_VERSION, customerId: event.customerId, settings: this.settings[campaign] }],
      signal: customerEventSignal,
      signalArgs: [event],
      typedSearchAttributes: [
        { key: searchAttributeKeys.customerId, value: event.customerId },
        { key: searchAttributeKeys.campaignType, value: campaign },
        { key: searchAttributeKeys.journeyStage, value: 'entered' },
      ],
      staticSummary: summaries[campaign](event.customerId),
      staticDetails: `Started by ${event.type} event ${event.eventId} (occurred ${event.occurredAt}).`,
    });
  }

  /** Delivers the event only to a running journey. Returns false when there is none. */
  async signalIfRunning(campaign: CampaignType, event: CustomerEvent): Promise<boolean> {
    try {
      await this.client.workflow.getHandle(journeyWorkflowId(campaign, event.customerId)).signal(customerEventSignal, event);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  async state(campaign: CampaignType, customerId: string): Promise<JourneyState> {
    return this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId)).query(journeyStateQuery);
  }
}
