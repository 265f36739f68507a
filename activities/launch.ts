import { Context, sleep } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { LaunchTotals } from '../contract/campaign-workflows';
import { entryEventFor, startRefusal, type StartBody } from '../contract/campaigns';
import type { CampaignSettingsMap } from '../contract/settings/types';
import { loadCurrentSettings } from '../platform/db/current-settings';
import type { CampaignType } from '../contract/journeys';
import { campaignLifecycle } from '../platform/db/campaign-settings';
import type { Db } from '../platform/db/database';
import { audiencePage, claimMember, launchTotals, settleMember, type AudienceRow } from '../platform/db/launches';
import { admissionOf, type Admission } from '../platform/db/journeys';
import { findProfile } from '../platform/db/profiles';
import { JourneyAlreadyRunningError, JourneyClient } from '../platform/temporal/journeys';
import { postgresPresence } from '../platform/temporal/journey-presence';

export interface LaunchPageInput {
  launchId: string;
  campaign: CampaignType;
  /** The last audience position the launch has been through. */
  afterPosition: number;
  pageSize: number;
  ratePerSecond: number;
}

export interface LaunchPageResult {
  lastPosition: number;
  /** No member after `lastPosition`. */
  done: boolean;
  campaignCancelled: boolean;
  totals: LaunchTotals;
}

/**
 * Members being entered at once at most: each waits for its journey's admission (a few hundred
 * milliseconds), so reaching the rate takes about rate × that many in flight; the rate spaces the starts.
 */
const inFlightFor = (ratePerSecond: number) => Math.min(100, Math.max(10, Math.ceil(ratePerSecond)));
/** How long an entered journey may take to be admitted or refused before the attempt is tried again. */
const ADMISSION_WAIT_MS = 30_000;
/** Attempts at one member before it is counted as failed. */
export const MAX_MEMBER_ATTEMPTS = 5;

/** The journey ID (its entry event's ID) a launch gives a member: the same on every attempt. */
export const launchJourneyId = (launchId: string, position: number) => `launch-${launchId}-${position}`;

/**
 * Enters one page of a launch's audience into the campaign at the launch's rate. Each member is
 * entered at most once, whatever crashes and retries: its row is settled once, and its journey
 * has an ID derived from the launch and the member, which the journey log admits once.
 */
export function createLaunchActivities(deps: { db: Db; temporal: Client; deploymentOverrides: unknown }) {
  const { db } = deps;

  async function enterAudiencePage(input: LaunchPageInput): Promise<LaunchPageResult> {
    const context = Context.current();
    const journeys = new JourneyClient(deps.temporal, context.info.taskQueue, postgresPresence(db));
    if ((await campaignLifecycle(db, input.campaign)).cancelled)
      return { lastPosition: input.afterPosition, done: false, campaignCancelled: true, totals: await totals() };

    const page = await audiencePage(db, input.launchId, input.afterPosition, input.pageSize);
    const { resolved } = await loadCurrentSettings(db, deps.deploymentOverrides);
    const intervalMs = 1000 / input.ratePerSecond;
    const maxInFlight = inFlightFor(input.ratePerSecond);
    let nextStartAt = Date.now();
    let lastPosition = input.afterPosition;
    const inFlight = new Set<Promise<void>>();
    const failures: Error[] = [];
    for (const member of page) {
      if (context.cancellationSignal.aborted) break;
      if (member.status === 'pending' || member.status === 'entering') {
        const wait = nextStartAt - Date.now();
        if (wait > 0) await sleep(wait);
        nextStartAt = Math.max(nextStartAt, Date.now() - intervalMs) + intervalMs;
        while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
        const entering: Promise<void> = enter(journeys, input, member, resolved.campaigns)
          .catch((error: unknown) => {
            failures.push(error instanceof Error ? error : new Error(String(error)));
          })
          .finally(() => inFlight.delete(entering));
        inFlight.add(entering);
      }
      lastPosition = member.position;
      context.heartbeat(lastPosition);
    }
    await Promise.all(inFlight);
    if (failures[0]) throw failures[0];
    const throughPage = lastPosition === (page.at(-1)?.position ?? input.afterPosition);
    const done = throughPage && page.length < input.pageSize;
    return { lastPosition, done, campaignCancelled: false, totals: await totals() };

    function totals() {
      return launchTotals(db, input.launchId);
    }
  }

  async function enter(
    journeys: JourneyClient,
    input: LaunchPageInput,
    member: AudienceRow,
    settings: CampaignSettingsMap,
  ): Promise<void> {
    const settle = (status: 'entered' | 'skipped' | 'failed', reason: string | null) =>
      settleMember(db, input.launchId, member.customerId, status, reason);
    const settleAdmission = (admission: Admission) =>
      admission.admitted ? settle('entered', null) : settle('skipped', admission.reason);
    const journeyId = launchJourneyId(input.launchId, member.position);
    const body = { ...member.entry, customerId: member.customerId } as StartBody<CampaignType>;
    const claim = await claimMember(db, input.launchId, member.customerId);
    if (claim.kind === 'settled') return;
    if (claim.kind === 'again') {
      // An earlier attempt may have started this member's journey: if the journey log knows it, that
      // settles the member, whatever the profile says now.
      const earlier = await admissionOf(db, { campaign: input.campaign, customerId: member.customerId, journeyId });
      if (earlier) return settleAdmission(earlier);
      if (claim.attempts > MAX_MEMBER_ATTEMPTS)
        return settle('failed', `not entered after ${claim.attempts - 1} attempts`);
    }
    // The campaign's own refusal of an operator's start (a churn score under the threshold), then consent.
    const refusal = startRefusal(input.campaign, body, settings);
    if (refusal) return settle('skipped', refusal.code);
    if (!(await reachable(member.customerId))) return settle('skipped', 'no_consent');
    try {
      await journeys.start(
        input.campaign,
        entryEventFor(input.campaign, body, {
          eventId: journeyId,
          occurredAt: new Date().toISOString(),
        }),
        { startedBy: `launch ${input.launchId}` },
      );
    } catch (error) {
      if (!(error instanceof JourneyAlreadyRunningError)) throw error;
      // The running journey may be this member's own, from a start whose answer was lost (a Temporal
      // restart, or a crash after the start): its memo says whose it is.
      if ((await journeys.runningStartedJourneyId(input.campaign, member.customerId)) !== journeyId) {
        const ours = await admissionOf(db, { campaign: input.campaign, customerId: member.customerId, journeyId });
        return ours ? settleAdmission(ours) : settle('skipped', 'already_in_journey');
      }
    }
    const admission = await waitForAdmission(input.campaign, member.customerId, journeyId);
    if (admission === null)
      throw new Error(`the journey of ${journeyId} was neither admitted nor refused within ${ADMISSION_WAIT_MS} ms`);
    return settleAdmission(admission);
  }

  /** An address with consent on some channel: otherwise the journey could only end `not_contactable`. */
  async function reachable(customerId: string): Promise<boolean> {
    const profile = await findProfile(db, customerId);
    return Boolean(profile && ((profile.email && profile.emailOptIn) || (profile.phone && profile.smsOptIn)));
  }

  async function waitForAdmission(campaign: CampaignType, customerId: string, journeyId: string) {
    const deadline = Date.now() + ADMISSION_WAIT_MS;
    for (;;) {
      const admission = await admissionOf(db, { campaign, customerId, journeyId });
      if (admission || Date.now() > deadline) return admission;
      Context.current().heartbeat();
      await sleep(100);
    }
  }

  return { enterAudiencePage };
}
