import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CAMPAIGNS, CAMPAIGN_TYPES, WORKFLOW_TYPES } from '../../contract/campaigns';
import type { CustomerEvent } from '../../contract/events';
import {
  CURRENT_WORKFLOW_VERSION,
  campaignCancelledSignal,
  campaignResumedSignal,
  cancelJourneySignal,
  customerEventSignal,
  customerEventsSignal,
  journeyStateQuery,
  journeyWorkflowId,
  searchAttributeKeys,
  type CampaignType,
  type JourneyInput,
  type JourneyResult,
  type JourneyState,
} from '../../contract/journeys';
import { START_ATTEMPT_DEADLINE_MS, type JourneyPresence } from './journey-presence';

/**
 * The one place that starts, signals and inspects journeys. bridge/ and admin/ call these helpers
 * and never call client.workflow directly. Every start is written to the journey presence record
 * first, and a signal only to a running journey asks Temporal only when the record says one may run.
 */

const summaries = Object.fromEntries(
  CAMPAIGNS.map((campaign) => [campaign.type, `${campaign.title} journey`]),
) as Record<CampaignType, string>;

type JourneyWorkflow = (input: JourneyInput) => Promise<JourneyResult>;

/** The memo field naming the journey ID (its entry event's ID) of a journey begun by `start`. */
const JOURNEY_ID_MEMO = 'journeyId';

export class JourneyClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly presence: JourneyPresence,
  ) {}

  /** Delivers the event to the customer's journey, starting one if none is running. */
  async startOrSignal(campaign: CampaignType, event: CustomerEvent): Promise<void> {
    await this.startOrSignalAll(campaign, [event]);
  }

  /**
   * Delivers one customer's consecutive events, oldest first, to their journey in one call, starting
   * the journey with the first if none is running. A single event goes in the one-event signal.
   */
  async startOrSignalAll(campaign: CampaignType, events: readonly [CustomerEvent, ...CustomerEvent[]]): Promise<void> {
    const [first] = events;
    const options = {
      ...this.startOptions(
        campaign,
        first.customerId,
        `Started by ${first.type} event ${first.eventId}, which occurred at ${first.occurredAt}.`,
      ),
      args: [{ version: CURRENT_WORKFLOW_VERSION, customerId: first.customerId }] as [JourneyInput],
    };
    await this.attemptStart(campaign, first.customerId, async () => {
      if (events.length === 1)
        await this.client.workflow.signalWithStart<JourneyWorkflow, [CustomerEvent]>(WORKFLOW_TYPES[campaign], {
          ...options,
          signal: customerEventSignal,
          signalArgs: [first],
        });
      else
        await this.client.workflow.signalWithStart<JourneyWorkflow, [CustomerEvent[]]>(WORKFLOW_TYPES[campaign], {
          ...options,
          signal: customerEventsSignal,
          signalArgs: [[...events]],
        });
    });
  }

  /** Writes the presence record, then makes the call that may start the journey, within its deadline. */
  private async attemptStart<T>(campaign: CampaignType, customerId: string, call: () => Promise<T>): Promise<T> {
    await this.presence.markStarting(campaign, customerId);
    return this.client.withDeadline(Date.now() + START_ATTEMPT_DEADLINE_MS, call);
  }

  /**
   * An operator's start: a new journey entered with `entry`, optionally with its own settings.
   * Throws JourneyAlreadyRunningError when the customer is already in that campaign's journey.
   */
  async start(
    campaign: CampaignType,
    entry: CustomerEvent,
    options: { overrides?: Record<string, unknown>; startedBy: string },
  ): Promise<{ workflowId: string; runId: string }> {
    try {
      const handle = await this.attemptStart(campaign, entry.customerId, () =>
        this.client.workflow.start<JourneyWorkflow>(WORKFLOW_TYPES[campaign], {
          ...this.startOptions(
            campaign,
            entry.customerId,
            `Started by ${options.startedBy} with ${entry.type} ${entry.eventId}` +
              `${options.overrides ? ', with its own settings' : ''}.`,
          ),
          memo: { [JOURNEY_ID_MEMO]: entry.eventId },
          args: [
            {
              version: CURRENT_WORKFLOW_VERSION,
              customerId: entry.customerId,
              entry,
              ...(options.overrides ? { overrides: options.overrides } : {}),
            },
          ],
        }),
      );
      return { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError)
        throw new JourneyAlreadyRunningError(campaign, entry.customerId);
      throw error;
    }
  }

  /**
   * The journey ID of the customer's running journey in that campaign when `start` began it, from the
   * memo it was started with; null when no journey runs or the running one was begun by an event.
   */
  async runningStartedJourneyId(campaign: CampaignType, customerId: string): Promise<string | null> {
    try {
      const description = await this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId)).describe();
      const journeyId = description.memo?.[JOURNEY_ID_MEMO];
      return description.status.name === 'RUNNING' && typeof journeyId === 'string' ? journeyId : null;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  private startOptions(campaign: CampaignType, customerId: string, details: string) {
    return {
      workflowId: journeyWorkflowId(campaign, customerId),
      taskQueue: this.taskQueue,
      typedSearchAttributes: [
        { key: searchAttributeKeys.customerId, value: customerId },
        { key: searchAttributeKeys.campaignType, value: campaign },
        { key: searchAttributeKeys.journeyStage, value: 'entered' },
      ],
      staticSummary: `${summaries[campaign]} for customer ${customerId}`,
      staticDetails: details,
    };
  }

  /** Delivers the event only to a running journey. Returns false when there is none. */
  async signalIfRunning(campaign: CampaignType, event: CustomerEvent): Promise<boolean> {
    return this.signalAllIfRunning(campaign, [event]);
  }

  /**
   * Delivers one customer's consecutive events, oldest first, in one call, only to a running journey.
   * No call is made when the presence record says that none runs.
   */
  async signalAllIfRunning(
    campaign: CampaignType,
    events: readonly [CustomerEvent, ...CustomerEvent[]],
  ): Promise<boolean> {
    const { customerId } = events[0];
    const presence = await this.presence.lookUp(campaign, customerId);
    if (presence.kind === 'none') return false;
    const handle = this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId));
    const delivered = await this.ifRunning(() =>
      events.length === 1
        ? handle.signal(customerEventSignal, events[0])
        : handle.signal(customerEventsSignal, [...events]),
    );
    if (!delivered) await this.presence.foundNotRunning(presence);
    return delivered;
  }

  /** Ends a running journey with outcome "cancelled". Returns false when there is none. */
  async cancel(campaign: CampaignType, customerId: string, reason: string): Promise<boolean> {
    return this.ifRunning(() =>
      this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId)).signal(cancelJourneySignal, { reason }),
    );
  }

  /** The journey's state from its query: the latest run's, or the given run's. */
  async state(campaign: CampaignType, customerId: string, runId?: string): Promise<JourneyState> {
    return this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId), runId).query(journeyStateQuery);
  }

  /** The state from the workflow's query, or the reason it could not be had within `timeoutMs` (no worker, say). */
  async stateWithin(
    campaign: CampaignType,
    customerId: string,
    timeoutMs: number,
    runId?: string,
  ): Promise<{ state: JourneyState } | { error: string }> {
    try {
      return {
        state: await this.client.withDeadline(Date.now() + timeoutMs, () => this.state(campaign, customerId, runId)),
      };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** The latest run of the customer's journey of that campaign, or null when there never was one. */
  async describe(campaign: CampaignType, customerId: string): Promise<JourneySummary | null> {
    try {
      const description = await this.client.workflow.getHandle(journeyWorkflowId(campaign, customerId)).describe();
      return summarize(description);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      throw error;
    }
  }

  /**
   * The runs of the customer's journey of that campaign, newest first (at most `limit`): every
   * journey instance, the runs refused at admission, and the earlier runs of journeys that
   * continued as new. The latest run is always included, even before visibility lists it.
   */
  async runs(campaign: CampaignType, customerId: string, limit: number): Promise<JourneySummary[]> {
    const latest = await this.describe(campaign, customerId);
    if (!latest) return [];
    const response = await this.client.workflowService.listWorkflowExecutions({
      namespace: this.client.options.namespace,
      query: `WorkflowId = ${literal(journeyWorkflowId(campaign, customerId))}`,
      pageSize: limit,
    });
    const listed = (response.executions ?? []).map(summarizeListed);
    return [latest, ...listed.filter((run) => run.runId !== latest.runId)].slice(0, limit);
  }

  /** One page of journeys from Temporal visibility (newest first, the server's default order). */
  async list(
    filter: JourneyFilter,
    page: { size: number; token?: Buffer },
  ): Promise<{ journeys: JourneySummary[]; nextPageToken: Buffer | null }> {
    const response = await this.client.workflowService.listWorkflowExecutions({
      namespace: this.client.options.namespace,
      query: journeyQuery(filter),
      pageSize: page.size,
      nextPageToken: page.token ?? Buffer.alloc(0),
    });
    const journeys = (response.executions ?? []).map(summarizeListed);
    const token = response.nextPageToken;
    return { journeys, nextPageToken: token && token.length > 0 ? Buffer.from(token) : null };
  }

  /** Wakes the journeys a paused campaign is holding; returns how many were told. */
  async resumeHeld(campaign: CampaignType): Promise<number> {
    let resumed = 0;
    let token: Buffer | undefined;
    do {
      const page = await this.list(
        { campaign, stage: 'paused', status: 'Running' },
        { size: 200, ...(token ? { token } : {}) },
      );
      for (let i = 0; i < page.journeys.length; i += RESUME_PARALLELISM) {
        const batch = page.journeys.slice(i, i + RESUME_PARALLELISM);
        const told = await Promise.all(
          batch.map((journey) =>
            this.ifRunning(() => this.client.workflow.getHandle(journey.workflowId).signal(campaignResumedSignal)),
          ),
        );
        resumed += told.filter(Boolean).length;
      }
      token = page.nextPageToken ?? undefined;
    } while (token);
    return resumed;
  }

  /**
   * Tells every running journey of the campaign on this deployment's task queue that it was
   * cancelled, page by page; `progress` is called after each page. Returns how many were told.
   */
  async tellCampaignCancelled(
    campaign: CampaignType,
    reason: string,
    progress: (told: number) => void = () => undefined,
  ): Promise<number> {
    let told = 0;
    let token: Buffer | undefined;
    do {
      const page = await this.list(
        { campaign, status: 'Running', taskQueue: this.taskQueue },
        { size: 200, ...(token ? { token } : {}) },
      );
      for (let i = 0; i < page.journeys.length; i += RESUME_PARALLELISM) {
        const batch = page.journeys.slice(i, i + RESUME_PARALLELISM);
        const results = await Promise.all(
          batch.map((journey) =>
            this.ifRunning(() =>
              this.client.workflow.getHandle(journey.workflowId).signal(campaignCancelledSignal, { reason }),
            ),
          ),
        );
        told += results.filter(Boolean).length;
      }
      progress(told);
      token = page.nextPageToken ?? undefined;
    } while (token);
    return told;
  }

  /** How many journeys visibility counts for the filter (eventually consistent, like the list). */
  async count(filter: JourneyFilter): Promise<number> {
    const { count } = await this.client.workflow.count(journeyQuery(filter));
    return count;
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

export class JourneyAlreadyRunningError extends Error {
  override readonly name = 'JourneyAlreadyRunningError';
  constructor(
    readonly campaign: CampaignType,
    readonly customerId: string,
  ) {
    super(`A ${campaign} journey is already running for customer ${customerId}.`);
  }
}

const RESUME_PARALLELISM = 20;

export const EXECUTION_STATUSES = [
  'Running',
  'Completed',
  'Failed',
  'Canceled',
  'Terminated',
  'ContinuedAsNew',
  'TimedOut',
] as const;

export interface JourneyFilter {
  customerId?: string | undefined;
  campaign?: CampaignType | undefined;
  stage?: string | undefined;
  status?: (typeof EXECUTION_STATUSES)[number] | undefined;
  outcome?: string | undefined;
  /** Journeys of one deployment: the task queue its workers poll. */
  taskQueue?: string | undefined;
}

export interface JourneySummary {
  workflowId: string;
  runId: string;
  campaign: CampaignType | null;
  customerId: string | null;
  status: string;
  stage: string | null;
  outcome: string | null;
  startedAt: string;
  closedAt: string | null;
}

/** A visibility query string literal: backslashes and quotes escaped. */
function literal(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The Temporal visibility query for a filter; journeys are told apart from other workflows by their
 * type. No ORDER BY: the dev server's SQL visibility refuses it, and its default is newest first.
 */
export function journeyQuery(filter: JourneyFilter): string {
  const types = CAMPAIGN_TYPES.map((campaign) => literal(WORKFLOW_TYPES[campaign])).join(', ');
  const clauses = [`WorkflowType IN (${types})`];
  if (filter.customerId !== undefined) clauses.push(`CustomerId = ${literal(filter.customerId)}`);
  if (filter.campaign !== undefined) clauses.push(`CampaignType = ${literal(filter.campaign)}`);
  if (filter.stage !== undefined) clauses.push(`JourneyStage = ${literal(filter.stage)}`);
  if (filter.outcome !== undefined) clauses.push(`Outcome = ${literal(filter.outcome)}`);
  if (filter.status !== undefined) clauses.push(`ExecutionStatus = ${literal(filter.status)}`);
  if (filter.taskQueue !== undefined) clauses.push(`TaskQueue = ${literal(filter.taskQueue)}`);
  return clauses.join(' AND ');
}

const STATUS_NAMES: Record<string, string> = {
  RUNNING: 'Running',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
  CANCELLED: 'Canceled',
  TERMINATED: 'Terminated',
  CONTINUED_AS_NEW: 'ContinuedAsNew',
  TIMED_OUT: 'TimedOut',
};

const CAMPAIGN_OF = (value: string | null): CampaignType | null =>
  (CAMPAIGN_TYPES as readonly string[]).includes(value ?? '') ? (value as CampaignType) : null;

function summarize(info: Omit<WorkflowExecutionInfo, 'raw'>): JourneySummary {
  const attribute = <T>(key: Parameters<typeof info.typedSearchAttributes.get>[0]) =>
    (info.typedSearchAttributes.get(key) as T | undefined) ?? null;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    campaign: CAMPAIGN_OF(attribute<string>(searchAttributeKeys.campaignType)),
    customerId: attribute<string>(searchAttributeKeys.customerId),
    status: STATUS_NAMES[info.status.name] ?? info.status.name,
    stage: attribute<string>(searchAttributeKeys.journeyStage),
    outcome: attribute<string>(searchAttributeKeys.outcome),
    startedAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString() ?? null,
  };
}

type ListedExecution = temporal.api.workflow.v1.IWorkflowExecutionInfo;
type ProtoTimestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

const dateOf = (ts: ProtoTimestamp): Date | null => {
  if (!ts) return null;
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : (ts.seconds?.toNumber() ?? 0);
  return new Date(seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000));
};

/** A journey as visibility lists it, read from the raw execution with the SDK's public converter. */
function summarizeListed(raw: ListedExecution): JourneySummary {
  const fields: Record<string, Payload> = raw.searchAttributes?.indexedFields ?? {};
  const keyword = (key: { name: string }): string | null => {
    const payload = fields[key.name];
    if (!payload) return null;
    const value = defaultPayloadConverter.fromPayload<unknown>(payload);
    const first = Array.isArray(value) ? (value as unknown[])[0] : value;
    return typeof first === 'string' ? first : null;
  };
  const statusName =
    temporal.api.enums.v1.WorkflowExecutionStatus[raw.status ?? 0]?.replace('WORKFLOW_EXECUTION_STATUS_', '') ??
    'UNSPECIFIED';
  return {
    workflowId: raw.execution?.workflowId ?? '',
    runId: raw.execution?.runId ?? '',
    campaign: CAMPAIGN_OF(keyword(searchAttributeKeys.campaignType)),
    customerId: keyword(searchAttributeKeys.customerId),
    status: STATUS_NAMES[statusName] ?? statusName,
    stage: keyword(searchAttributeKeys.journeyStage),
    outcome: keyword(searchAttributeKeys.outcome),
    startedAt: (dateOf(raw.startTime) ?? new Date(0)).toISOString(),
    closedAt: dateOf(raw.closeTime)?.toISOString() ?? null,
  };
}
