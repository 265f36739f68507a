import type { FrequencyCap } from '../platform/db/delivery-ledger';
import {
  deliver,
  type DeliveryDependencies,
  type DeliveryRequest,
  type FirstAttempt,
  type SendOutcome,
} from './delivery';
import { emailSender, type EmailSettings } from './email';
import { loadCurrentSettings } from '../platform/db/current-settings';
import { createJourneyActivities, type JourneyActivityDependencies, type SendPlan } from './journeys';
import type { CampaignType } from '../contract/journeys';
import type { Channel } from '../platform/db/schema';
import { createTwilioClient, smsSender, type SmsSettings } from './sms';
import { createCampaignCancelActivities } from './campaign-cancel';
import { createLaunchActivities } from './launch';
import { countMessage } from './worker-metrics';

export type { DeliveryRequest, SendOutcome } from './delivery';
export type { SendPlan } from './journeys';

export interface ActivityDependencies
  extends Omit<DeliveryDependencies, 'frequencyCap' | 'contactPolicy'>, Omit<JourneyActivityDependencies, 'channels'> {
  email: EmailSettings;
  /** Absent when the deployment has no SMS provider: SMS steps then fall back or skip. */
  sms: SmsSettings | null;
}

/** Builds every activity from explicit dependencies, so tests can pass real or fake parts. */
export function createActivities(deps: ActivityDependencies) {
  const frequencyCap = async (): Promise<FrequencyCap> => {
    const { resolved } = await loadCurrentSettings(deps.db, deps.deploymentOverrides);
    return { limit: resolved.contact.frequencyCap, windowMs: resolved.contact.frequencyWindowMs };
  };
  const sms = deps.sms ? smsSender(deps.sms, createTwilioClient(deps.sms)) : null;
  const journeys = createJourneyActivities({ ...deps, channels: sms ? ['email', 'sms'] : ['email'] });
  const delivery: DeliveryDependencies = {
    db: deps.db,
    logger: deps.logger,
    reservationLeaseMs: deps.reservationLeaseMs,
    links: deps.links,
    frequencyCap,
    contactPolicy: (request, channel, atMs) =>
      journeys.planSend({ campaign: request.campaign as CampaignType, customerId: request.customerId, channel, atMs }),
  };
  const email = emailSender(deps.email);

  const send = (channel: Channel, request: DeliveryRequest, firstAttempt?: FirstAttempt): Promise<SendOutcome> => {
    if (channel === 'email') return deliver(delivery, email, request, firstAttempt);
    if (sms) return deliver(delivery, sms, request, firstAttempt);
    const reason = 'skipped: SMS is not configured';
    countMessage({
      campaign: request.campaign,
      step: request.step,
      channel: 'sms',
      result: 'skipped',
      skipReason: reason,
    });
    return Promise.resolve({ status: 'not_sent', reason });
  };

  return {
    ...journeys,
    ...createCampaignCancelActivities(deps),
    ...createLaunchActivities(deps),
    sendEmail: (request: DeliveryRequest): Promise<SendOutcome> => send('email', request),
    sendSms: (request: DeliveryRequest): Promise<SendOutcome> => send('sms', request),
    /**
     * A send's first attempt, as a local activity (workflows/engine/send-step.ts): the contact
     * policy's plan, and when it says go, the send, handed to the provider within `firstAttempt`'s time.
     */
    planThenSend: async (input: {
      channel: Channel;
      atMs: number;
      request: DeliveryRequest;
      firstAttempt: FirstAttempt;
    }): Promise<{ plan: SendPlan; outcome?: SendOutcome }> => {
      const { request } = input;
      const plan = await journeys.planSend({
        campaign: request.campaign as CampaignType,
        customerId: request.customerId,
        channel: input.channel,
        atMs: input.atMs,
      });
      if (plan.kind !== 'go') return { plan };
      return { plan, outcome: await send(input.channel, request, input.firstAttempt) };
    },
  };
}

/** The activities of the campaign-wide workflows (cancel, launch). */
export type CampaignActivities = ReturnType<typeof createCampaignCancelActivities> &
  ReturnType<typeof createLaunchActivities>;
/** The activities journeys call. */
export type JourneyActivities = Omit<ReturnType<typeof createActivities>, keyof CampaignActivities>;
