import { log, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { CustomerEvent } from '../../contract/events';
import {
  ADMISSION_REFUSALS,
  campaignCancelledSignal,
  campaignResumedSignal,
  cancelJourneySignal,
  customerEventSignal,
  customerEventsSignal,
  journeyStateQuery,
  searchAttributeKeys,
  type CampaignType,
  type JourneyInput,
  type JourneyResult,
  type Outcome,
} from '../../contract/journeys';
import type { CampaignSettingsMap } from '../../contract/settings/types';
import { bookkeeping } from './proxies';
import { admit, waitForEntry } from './admission';
import { startNextJourney } from './continue-as-new';
import { JourneyRun } from './run-state';
import { smsFailed } from './sms-fallback';
import { runSteps, type Step } from './steps';

/**
 * What a campaign workflow is given to run its journey: it says what the customer's events mean
 * and which steps it takes; the engine does the rest (event dedup, exits, admission, durable waits,
 * the send step under the contact policy, the fallback from an undelivered SMS, the outcome and
 * continue-as-new). See docs/JOURNEYS.md.
 */
export class Journey<C extends CampaignType, CampaignState> {
  private readonly run: JourneyRun<C, CampaignState>;

  constructor(campaign: C, input: JourneyInput<CampaignState>, initialState: CampaignState) {
    this.run = new JourneyRun(campaign, input, initialState);
  }

  /** The campaign's own state (its cart, its products, its score), carried across continue-as-new. */
  get campaignState(): CampaignState {
    return this.run.campaignState;
  }

  /** The campaign's settings, once loaded (undefined for events that arrive with the entry). */
  get settings(): CampaignSettingsMap[C] | undefined {
    return this.run.settings;
  }

  get hasEntered(): boolean {
    return this.run.state.journeyId !== null;
  }

  /** When the journey's last message was sent, by its clock. */
  get lastMessageAtMs(): number | null {
    return this.run.lastMessageAtMs;
  }

  /**
   * Registers the signal and query handlers. `onEvent` sees each event once, in arrival order; an
   * unsubscribe from everything ends the journey before it. `startsJourney` says which events would
   * start a new journey of this campaign: one that arrives after this journey decided to end is
   * handed to the next journey instead of being dropped.
   */
  listen(onEvent: (event: CustomerEvent) => void, startsJourney: (event: CustomerEvent) => boolean): void {
    const run = this.run;
    run.startsJourney = startsJourney;
    const deliver = (event: CustomerEvent) => {
      if (event.type === 'message.failed' && run.takes('sms-failure-fallback')) {
        smsFailed(run, event);
        return;
      }
      if (run.exit) {
        run.holdForNextJourney(event);
        return;
      }
      if (!run.firstSighting(event)) return;
      if (!run.admitted && run.state.journeyId !== null) run.arrivedDuringAdmission.push(event);
      if (event.type === 'customer.unsubscribed' && event.properties.channel === 'all') {
        run.requestExit('unsubscribed', 'the customer unsubscribed from all messages', event);
        return;
      }
      onEvent(event);
    };
    setHandler(journeyStateQuery, () => run.state);
    setHandler(customerEventSignal, deliver);
    setHandler(customerEventsSignal, (events) => events.forEach(deliver));
    setHandler(cancelJourneySignal, ({ reason }) =>
      run.requestExit('cancelled', `cancelled by an operator: ${reason}`),
    );
    setHandler(campaignCancelledSignal, ({ reason }) =>
      run.requestExit('campaign_cancelled', `the campaign was cancelled: ${reason}`),
    );
    setHandler(campaignResumedSignal, () => {
      run.resumedSignals += 1;
    });
    if (!run.input.carried)
      for (const event of run.input.entries ?? (run.input.entry ? [run.input.entry] : [])) deliver(event);
  }

  /** The first event that may start the journey becomes its entry. */
  enterWith(event: CustomerEvent): void {
    this.run.enterWith(event);
  }

  /** When an event happened, by the journey's clock (never later than now). */
  eventTime(event: CustomerEvent): number {
    return this.run.eventTime(event);
  }

  /** Ends the journey at its next decision, with this outcome; the first exit wins. */
  requestExit(outcome: Outcome, why: string, cause?: CustomerEvent): void {
    this.run.requestExit(outcome, why, cause);
  }

  /** A line on the journey's timeline, about an event it saw. */
  note(text: string): void {
    this.run.record('event', text);
  }

  /** Loads the settings and waits for the entry event; returns the settings. */
  waitForEntry(): Promise<CampaignSettingsMap[C]> {
    return waitForEntry(this.run);
  }

  /**
   * Applies the re-entry rules (replay, late entry, cooldown, pause); false when the journey must
   * end before its first step.
   */
  admit(cooldownMs: number): Promise<boolean> {
    return admit(this.run, cooldownMs);
  }

  /** Runs the campaign's steps from where the journey is (after a continue-as-new, from the step it reached). */
  runSteps(steps: Step[]): Promise<void> {
    return runSteps(this.run, steps);
  }

  /** Ends after the steps: `not_contactable` when no step could reach the customer, else `completed`. */
  complete(whyCompleted: string, whyReachedNobody: string): Promise<JourneyResult> {
    const reachedNobody = this.run.state.messagesSent === 0 && this.run.unreachableSteps > 0;
    return this.finish(
      reachedNobody ? 'not_contactable' : 'completed',
      reachedNobody ? whyReachedNobody : whyCompleted,
    );
  }

  /**
   * Ends the journey: the exit's outcome if one was requested, else `fallback`; in the result, the
   * search attributes and the journey log.
   */
  async finish(fallback: Outcome, why: string): Promise<JourneyResult> {
    const run = this.run;
    const { outcome, why: reason } = run.exit ?? { outcome: fallback, why };
    run.state.outcome = outcome;
    run.state.stage = 'ended';
    run.record('exit', `${outcome}: ${reason}`);
    upsertSearchAttributes([
      { key: searchAttributeKeys.journeyStage, value: 'ended' },
      { key: searchAttributeKeys.outcome, value: outcome },
    ]);
    setCurrentDetails(`Ended: ${outcome} (${reason})`);
    if (run.state.journeyId && !ADMISSION_REFUSALS.includes(outcome)) {
      await bookkeeping(run).endJourney({
        campaign: run.campaign,
        customerId: run.customerId,
        journeyId: run.state.journeyId,
        outcome,
        atMs: run.exit?.atMs ?? Date.now(),
        messagesSent: run.state.messagesSent,
        lastMessageAtMs: run.lastMessageAtMs,
        ...(run.state.group ? { group: run.state.group } : {}),
      });
    }
    log.info('Journey ended', { workflowId: workflowInfo().workflowId, outcome, why: reason });
    if (run.lateEvents.some(run.startsJourney) && run.takes('late-entry-starts-next-journey'))
      await startNextJourney(run);
    return {
      outcome,
      journeyId: run.state.journeyId,
      messagesSent: run.state.messagesSent,
      attributedTo: outcome === 'converted' ? run.state.lastMessage : null,
    };
  }
}
