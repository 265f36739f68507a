import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CampaignType } from './journeys';

/** What admin/ and the workers share about the campaign-wide workflows: a campaign's cancellation and its launches. */

export const CAMPAIGN_CANCEL_WORKFLOW = 'campaignCancelWorkflow';
export const CAMPAIGN_LAUNCH_WORKFLOW = 'campaignLaunchWorkflow';

export interface CampaignCancelInput {
  campaign: CampaignType;
  reason: string;
  /** The cancellation this run carries out; a later reopen or cancel supersedes it. */
  cancelledAtMs: number;
  progress?: CampaignCancelProgress;
}

export interface CampaignCancelProgress {
  passes: number;
  /** Signals sent, over every pass (a journey still ending may be told again). */
  told: number;
  /** Running journeys of the campaign after the latest pass. */
  stillRunning: number | null;
  state: 'cancelling' | 'done' | 'superseded';
}

export const campaignCancelProgressQuery = defineQuery<CampaignCancelProgress>('campaignCancelProgress');

/** A launch's audience by status; skips and failures also by reason. */
export type LaunchTotals = Record<'pending' | 'entered' | 'skipped' | 'failed', number> & {
  reasons: Record<string, number>;
};

export interface LaunchInput {
  launchId: string;
  campaign: CampaignType;
  audienceSize: number;
  ratePerSecond: number;
  /** When to begin; null: at once. */
  startAtMs: number | null;
  /** Carried through continue-as-new. */
  carried?: { cursor: number; paused: boolean; totals: LaunchTotals | null };
}

export const LAUNCH_STATES = [
  'scheduled',
  'running',
  'paused',
  'cancelled',
  'campaign_cancelled',
  'completed',
] as const;
export type LaunchState = (typeof LAUNCH_STATES)[number];

export interface LaunchProgress {
  state: LaunchState;
  /** The last audience position gone through. */
  cursor: number;
  audienceSize: number;
  totals: LaunchTotals | null;
  cancelReason: string | null;
}

export const pauseLaunchSignal = defineSignal('pauseLaunch');
export const resumeLaunchSignal = defineSignal('resumeLaunch');
export const cancelLaunchSignal = defineSignal<[{ reason: string }]>('cancelLaunch');
export const launchProgressQuery = defineQuery<LaunchProgress>('launchProgress');
