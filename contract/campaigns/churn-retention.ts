import { z } from 'zod';
import { eventPropertySchemas } from '../events';
import { DAY, DEFAULT_MECHANICS, duration } from '../settings/mechanics';
import type { JourneyMechanics } from '../settings/types';
import { always, defineCampaign } from './definition';
import { CAMPAIGN_STEPS } from './steps';

export interface ChurnSettings extends JourneyMechanics {
  threshold: number;
  /** From the day-0 email to the SMS offer. */
  offerDelayMs: number;
  /** From the SMS offer to the final email. */
  finalDelayMs: number;
}

const defaults: ChurnSettings = {
  ...DEFAULT_MECHANICS,
  maxEntryAgeMs: 7 * DAY,
  threshold: 0.7,
  offerDelayMs: 3 * DAY,
  finalDelayMs: 4 * DAY,
};

/**
 * Churn retention (workflows/churn-retention.ts): a churn score at or above the threshold starts it;
 * a lower score, a session or an order ends it.
 */
export const churnRetention = defineCampaign({
  type: 'churn-retention',
  workflowType: 'churnRetentionWorkflow',
  title: 'Churn retention',
  label: 'churn journey',
  startsOn: { 'churn.risk_scored': (event, settings) => event.properties.score >= settings.threshold },
  signals: { 'churn.risk_scored': always, 'session.started': always, 'order.placed': always },
  settings: {
    defaults,
    overrides: {
      threshold: z.number().min(0).max(1).optional(),
      offerDelay: duration.optional(),
      finalDelay: duration.optional(),
    },
    durations: ['offerDelay', 'finalDelay'],
  },
  start: {
    fields: {
      score: z.number().min(0).max(1).default(1),
      model: eventPropertySchemas['churn.risk_scored'].shape.model,
    },
    entryEvent: (body, meta) => ({
      ...meta,
      customerId: body.customerId,
      type: 'churn.risk_scored',
      properties: { score: body.score, model: body.model },
    }),
    refusal: (body, settings) =>
      body.score < settings.threshold
        ? {
            code: 'below_threshold',
            field: 'score',
            message: `score: ${body.score} is under the campaign's threshold of ${settings.threshold}.`,
          }
        : undefined,
    refusedWhen: "The churn score is under the campaign's threshold.",
  },
  templates: ['churn-winback', 'churn-offer-sms', 'churn-final'],
  steps: CAMPAIGN_STEPS['churn-retention'],
  span: (settings) => settings.offerDelayMs + settings.finalDelayMs,
});
