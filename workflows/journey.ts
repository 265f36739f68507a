import { log, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CustomerEvent } from '../contract/events';
import {
  searchAttributeKeys,
  type CampaignType,
  type JourneyState,
  type Outcome,
  type TimelineEntry,
} from './definitions';

/** Journey bookkeeping shared by every campaign workflow: dedup, stage, timeline and outcome. */

const MAX_REMEMBERED_EVENT_IDS = 500;
const MAX_TIMELINE_ENTRIES = 100;

export class Journey {
  private readonly seenEventIds: string[] = [];
  readonly state: JourneyState;
  /** Set by a signal handler when the customer's behaviour ends the journey; acted on by the main loop. */
  exitRequest: { outcome: Outcome; why: string } | null = null;

  constructor(campaign: CampaignType, customerId: string) {
    this.state = { campaign, customerId, journeyId: null, stage: 'entered', outcome: null, lastMessage: null, timeline: [] };
  }

  /** True the first time an eventId is seen; duplicates and replays return false. */
  firstSighting(event: CustomerEvent): boolean {
    if (this.seenEventIds.includes(event.eventId)) {
      log.info('Duplicate event ignored', { eventId: event.eventId, type: event.type });
      return false;
    }
    this.seenEventIds.push(event.eventId);
    if (this.seenEventIds.length > MAX_REMEMBERED_EVENT_IDS) this.seenEventIds.shift();
    return true;
  }

  requestExit(outcome: Outcome, why: string): void {
    this.exitRequest ??= { outcome, why };
  }

  record(kind: TimelineEntry['kind'], text: string): void {
    this.state.timeline.push({ at: new Date().toISOString(), kind, text });
    if (this.state.timeline.length > MAX_TIMELINE_ENTRIES) this.state.timeline.shift();
  }

  moveTo(stage: string, details: string): void {
    this.state.stage = stage;
    upsertSearchAttributes([{ key: searchAttributeKeys.journeyStage, value: stage }]);
    setCurrentDetails(details);
  }

  end(outcome: Outcome, why: string): void {
    this.state.outcome = outcome;
    this.record('exit', `${outcome}: ${why}`);
    this.state.stage = 'ended';
    upsertSearchAttributes([
      { key: searchAttributeKeys.journeyStage, value: 'ended' },
      { key: searchAttributeKeys.outcome, value: outcome },
    ]);
    setCurrentDetails(`Ended: ${outcome} (${why})`);
    log.info('Journey ended', { workflowId: workflowInfo().workflowId, outcome, why });
  }
}
