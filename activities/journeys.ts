import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { loadCurrentSettings } from '../platform/db/current-settings';
import { campaignLifecycle } from '../platform/db/campaign-settings';
import type { Db } from '../platform/db/database';
import {
  admitJourney,
  recordJourneyEnd,
  type Admission,
  type EntryRules,
  type JourneyKey,
} from '../platform/db/journeys';
import { recordSkipped, type DeliveryKey } from '../platform/db/delivery-ledger';
import { markPossiblyRunning } from '../platform/db/journey-presence';
import { findProfile } from '../platform/db/profiles';
import { CANCELLED_REASON } from './delivery';
import type { Channel } from '../platform/db/schema';
import { journeyWorkflowId, type CampaignType } from '../contract/journeys';
import type { LoadedSettings } from '../contract/settings/types';
import { describeLocal, quietHoursEnd } from './quiet-hours';
import { assign, type ExperimentPlan } from '../platform/experiments/assignment';
import { countJourneyEnd, countMessage, type JourneyGroup } from './worker-metrics';

/** The ledger's reason for a step of a held-out journey. */
export const HELD_OUT_REASON = 'held_out';

export interface JourneyActivityDependencies {
  db: Db;
  temporal: Client;
  /** The deployment's overrides (CAMPAIGN_SETTINGS), applied before the operator's. */
  deploymentOverrides: unknown;
  /** Channels this worker can send on (SMS needs Twilio credentials). */
  channels: Channel[];
}

export type SendPlan =
  | { kind: 'go' }
  | { kind: 'paused' }
  | { kind: 'cancelled'; reason: string }
  | { kind: 'quiet_hours'; untilMs: number; until: string }
  | { kind: 'unreachable'; reason: string };

/** Activities that let journeys read settings, apply the contact policy and keep the journey log. */
export function createJourneyActivities(deps: JourneyActivityDependencies) {
  const { db } = deps;

  /** The campaign's current settings; `journeyOverrides` are one journey's own (an operator's test journey). */
  async function loadSettings<C extends CampaignType>(
    campaign: C,
    journeyOverrides?: Record<string, unknown>,
  ): Promise<LoadedSettings<C>> {
    const { resolved, versions } = await loadCurrentSettings(
      deps.db,
      deps.deploymentOverrides,
      journeyOverrides && { [campaign]: journeyOverrides },
    );
    return {
      campaign,
      settings: resolved.campaigns[campaign],
      contact: resolved.contact,
      version: versions[campaign] ?? 0,
    };
  }

  /** Whether a send may happen now: campaign cancelled or paused, no way to reach the customer, or quiet hours. */
  async function planSend(input: {
    campaign: CampaignType;
    customerId: string;
    channel: Channel;
    atMs: number;
  }): Promise<SendPlan> {
    const lifecycle = await campaignLifecycle(db, input.campaign);
    if (lifecycle.cancelled) return { kind: 'cancelled', reason: lifecycle.cancelled.reason };
    if (lifecycle.paused) return { kind: 'paused' };
    if (!deps.channels.includes(input.channel))
      return { kind: 'unreachable', reason: `${input.channel} is not configured on this deployment` };
    const profile = await findProfile(db, input.customerId);
    const address = input.channel === 'email' ? profile?.email : profile?.phone;
    if (!profile || !address) return { kind: 'unreachable', reason: `no ${input.channel} address` };
    const consent = input.channel === 'email' ? profile.emailOptIn : profile.smsOptIn;
    if (!consent) return { kind: 'unreachable', reason: `no ${input.channel} consent` };
    const { resolved } = await loadCurrentSettings(deps.db, deps.deploymentOverrides);
    const window = resolved.contact.quietHours[input.channel];
    const timeZone = profile.timezone ?? resolved.contact.defaultTimezone;
    const until = window ? quietHoursEnd(input.atMs, timeZone, window) : null;
    return until === null
      ? { kind: 'go' }
      : { kind: 'quiet_hours', untilMs: until, until: describeLocal(until, timeZone) };
  }

  /** Admits the journey (or says why not), dealing it into its group and variants (docs/EXPERIMENTS.md). */
  async function enterJourney(
    input: JourneyKey &
      Omit<EntryRules, 'maxEntryAgeMs'> & { maxEntryAgeMs?: number | null; experiment?: ExperimentPlan },
  ): Promise<Admission> {
    const assignment = input.experiment ? assign(input.campaign, input.customerId, input.experiment) : undefined;
    // A journey started some other way than through JourneyClient (the Temporal CLI, a bridge of a
    // version before the record) is in the presence record from here on.
    await markPossiblyRunning(db, [input]);
    return admitJourney(db, input, { ...input, maxEntryAgeMs: input.maxEntryAgeMs ?? null }, assignment);
  }

  /** Records a step a held-out journey did not send: the ledger shows it as skipped, `held_out`. */
  async function recordHeldOut(key: DeliveryKey): Promise<void> {
    const { recordedNow } = await recordSkipped(db, key, HELD_OUT_REASON);
    if (recordedNow) countMessage({ ...key, result: 'held_out' });
  }

  async function endJourney(
    input: JourneyKey & {
      outcome: string;
      atMs: number;
      messagesSent: number;
      lastMessageAtMs: number | null;
      /** The journey's experiment group; absent: treatment. */
      group?: JourneyGroup;
    },
  ): Promise<void> {
    // Counted only by the call that records the end, so that a retried activity counts the journey once.
    if (await recordJourneyEnd(db, input, input))
      countJourneyEnd({ campaign: input.campaign, outcome: input.outcome, group: input.group ?? 'treatment' });
  }

  /** True while the customer's journey of that campaign is running in Temporal. */
  async function isJourneyRunning(input: { campaign: CampaignType; customerId: string }): Promise<boolean> {
    try {
      const description = await deps.temporal.workflow
        .getHandle(journeyWorkflowId(input.campaign, input.customerId))
        .describe();
      return description.status.name === 'RUNNING';
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /** Settles a send the journey cancelled while it waited for a retry: it will never be made. */
  async function abandonSend(key: DeliveryKey): Promise<void> {
    const { recordedNow } = await recordSkipped(db, key, CANCELLED_REASON);
    if (recordedNow) countMessage({ ...key, result: 'skipped', skipReason: CANCELLED_REASON });
  }

  return { loadSettings, planSend, enterJourney, recordHeldOut, endJourney, isJourneyRunning, abandonSend };
}
