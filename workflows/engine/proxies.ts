import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../../activities';
import { PERMANENT_DELIVERY_ERROR } from '../../contract/errors';

const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;

const remoteBookkeeping = proxyActivities<JourneyActivities>({ startToCloseTimeout: '20 seconds', retry });
const localBookkeeping = proxyLocalActivities<JourneyActivities>({ startToCloseTimeout: '20 seconds', retry });

/**
 * Settings, admission, the contact policy and the journey log are short PostgreSQL calls: as local
 * activities they run inside the workflow task, sparing Temporal a task round trip each (about
 * half of a journey's server work; see docs/PERFORMANCE.md). Sends stay ordinary activities.
 */
export function bookkeeping(run: { takes(patch: 'local-bookkeeping'): boolean }): typeof remoteBookkeeping {
  return run.takes('local-bookkeeping') ? localBookkeeping : remoteBookkeeping;
}

/** The channel sends: heartbeating activities, never retried after a permanent refusal. */
export const channels = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '45 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { ...retry, nonRetryableErrorTypes: [PERMANENT_DELIVERY_ERROR] },
});

/**
 * A send's first attempt, made inside the workflow task that found the step due (./send-step.ts):
 * one attempt; whatever it cannot settle goes on as the ordinary activity above.
 */
export const firstAttempts = proxyLocalActivities<JourneyActivities>({
  startToCloseTimeout: '45 seconds',
  retry: { maximumAttempts: 1 },
});
