import type { Db } from '../platform/db/database';
import type { CampaignWorkflows } from '../platform/temporal/campaigns';
import type { JourneyClient } from '../platform/temporal/journeys';
import type { MessageLinks } from '../activities/templates/message';
import type { TestSender } from './test-sender';

/** What the admin routes act on, passed in explicitly so tests can build the app on the real stack. */
export interface AdminDependencies {
  db: Db;
  journeys: JourneyClient;
  /** Campaign-wide workflows: cancellations and launches. */
  campaigns: CampaignWorkflows;
  /** The deployment's CAMPAIGN_SETTINGS, the layer under the operators' overrides. */
  deploymentOverrides: unknown;
  /** A link into the Temporal Web UI: a workflow, or a visibility query. */
  temporalUiUrl: (target: { workflowId: string } | { query: string }) => string;
  testSender: TestSender;
  /** The store link a send renders with, and the placeholder unsubscribe link of previews (no tracked link). */
  messageLinks: MessageLinks;
  /** How long to wait for a journey's live state before answering without it. */
  stateQueryTimeoutMs: number;
  /** Signs the page tokens of journey lists. */
  pageTokenSecret: string;
}
