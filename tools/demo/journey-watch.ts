import type { Client } from '@temporalio/client';
import {
  searchAttributeKeys,
  journeyStateQuery,
  type CampaignType,
  type Outcome,
  type TimelineEntry,
} from '../../contract/journeys';

/** One run of one journey, as last seen. */
export interface JourneyRun {
  workflowId: string;
  runId: string;
  customerId: string;
  campaign: CampaignType;
  running: boolean;
  startedAt: Date;
  outcome: Outcome | null;
  timeline: TimelineEntry[];
}

/**
 * Follows every journey of a set of customers through Temporal: visibility says which runs exist,
 * the journeyState query says what each did. New timeline entries are handed to `onEntry` in order.
 */
export class JourneyWatch {
  private readonly runs = new Map<string, JourneyRun & { final: boolean; told: number }>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private lastError: string | null = null;

  constructor(
    private readonly client: Client,
    private readonly customerIds: string[],
    private readonly onEntry: (run: JourneyRun, entry: TimelineEntry) => void = () => undefined,
  ) {}

  /** Polls in the background, so the story is told while the storefront plays. */
  start(intervalMs = 500): void {
    const tick = () => {
      void this.poll()
        .catch((error: unknown) => {
          this.lastError = error instanceof Error ? error.message : String(error);
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.chain;
  }

  all(): JourneyRun[] {
    return [...this.runs.values()].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  }

  of(customerId: string): JourneyRun[] {
    return this.all().filter((run) => run.customerId === customerId);
  }

  /** Resolves once `accept` holds for the runs seen, polling on its own schedule. */
  async until(what: string, accept: (runs: JourneyRun[]) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.poll();
      if (accept(this.all())) return;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}` +
            `${this.lastError ? ` (last error: ${this.lastError})` : ''}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  /** One look at every run; looks never overlap, so each entry is told once. */
  poll(): Promise<void> {
    const next = this.chain.then(() => this.look());
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** New runs from visibility, fresh state for the ones not yet final. */
  private async look(): Promise<void> {
    const ids = this.customerIds.map((id) => `"${id}"`).join(', ');
    for await (const execution of this.client.workflow.list({ query: `CustomerId IN (${ids})` })) {
      const key = execution.runId;
      const known = this.runs.get(key);
      const running = execution.status.name === 'RUNNING';
      if (known?.final) continue;
      const campaign = execution.typedSearchAttributes.get(searchAttributeKeys.campaignType) as CampaignType;
      const customerId = execution.typedSearchAttributes.get(searchAttributeKeys.customerId)!;
      const run = known ?? {
        workflowId: execution.workflowId,
        runId: execution.runId,
        customerId,
        campaign,
        running,
        startedAt: execution.startTime,
        outcome: null,
        timeline: [],
        final: false,
        told: 0,
      };
      this.runs.set(key, run);
      try {
        const state = await this.client.workflow
          .getHandle(execution.workflowId, execution.runId)
          .query(journeyStateQuery);
        run.timeline = state.timeline;
        run.outcome = state.outcome;
      } catch {
        // A closed run that cannot answer (its history does not replay, see docs/JOURNEYS.md) is read from visibility.
        if (running) continue; // not answerable yet (first task not done): next poll
        run.outcome = (execution.typedSearchAttributes.get(searchAttributeKeys.outcome) as Outcome | undefined) ?? null;
      }
      run.running = running;
      run.final = !running;
      for (const entry of run.timeline.slice(run.told)) this.onEntry(run, entry);
      run.told = run.timeline.length;
    }
  }
}
