/** The fuzzer's vocabulary, shared by the generator, the reference model, the runner and the verdict. */

export type Campaign = 'cart-abandonment' | 'browse-abandonment' | 'churn-retention';
export type Channel = 'email' | 'sms';
export const CAMPAIGNS: Campaign[] = ['cart-abandonment', 'browse-abandonment', 'churn-retention'];

/** A contract event type (contract/events.ts), spelled out so the model depends on the documents only. */
export type FuzzEventType =
  | 'customer.updated'
  | 'customer.unsubscribed'
  | 'product.viewed'
  | 'cart.updated'
  | 'order.placed'
  | 'session.started'
  | 'churn.risk_scored';

/** One thing the storefront or an operator does to a customer, `atMs` after the customer's start. */
export type FuzzAction =
  | {
      kind: 'event';
      atMs: number;
      eventId: string;
      type: FuzzEventType;
      skewMs: number;
      properties: Record<string, unknown>;
      note?: string;
    }
  | { kind: 'cancel'; atMs: number; campaign: Campaign; note?: string };

export interface FuzzCustomer {
  index: number;
  customerId: string;
  email: string;
  phone: string | null;
  /** Milliseconds after the run's first customer when this one starts. */
  startMs: number;
  actions: FuzzAction[];
}

/**
 * An action as it happened: when its publication (or signal) began and was acknowledged, the
 * occurredAt it carried, and for an event when the bridge was seen to have handled it (its offset
 * committed), if it was.
 */
export type TimedAction = FuzzAction & {
  publishedAt: number;
  ackedAt?: number;
  occurredAtMs: number;
  handledBy?: number;
};

export type { FaultKind } from '../chaos/fault-actions';
import { withoutHoldout } from '../without-holdout';
import type { FaultKind } from '../chaos/fault-actions';

export type FaultGroup = 'providers' | 'processes' | 'services';
export const FAULT_GROUPS: Record<FaultGroup, FaultKind[]> = {
  providers: [
    'smtp refuse',
    'smtp black hole',
    'smtp slow',
    'smtp auth failure',
    'smtp 4xx',
    'smtp 5xx incident',
    'twilio refuse',
    'twilio black hole',
    'twilio slow',
    'twilio auth failure',
    'twilio 5xx',
  ],
  processes: ['kill -9 worker', 'kill -9 bridge'],
  services: ['restart Temporal', 'restart Kafka', 'restart PostgreSQL'],
};

/** A fault as it happened: from its injection to its repair (epoch ms). */
export interface FaultWindow {
  kind: FaultKind;
  from: number;
  to: number;
}

/** The compressed journey settings of a fuzz run, in ms (docs/JOURNEYS.md names). */
export interface FuzzSettings {
  cart: { firstReminderDelay: number; secondReminderDelay: number; finalReminderDelay: number };
  browse: { emailDelay: number };
  churn: { threshold: number; offerDelay: number; finalDelay: number };
  frequencyWindow: number;
  /** How long a journey held by a pause waits before it checks again without the resume signal. */
  pauseRecheck: number;
  /** Whether the deployment has an SMS provider (it does in a fuzz run). */
  smsProvider: boolean;
}

export const FUZZ_SETTINGS: FuzzSettings = {
  cart: { firstReminderDelay: 5_000, secondReminderDelay: 5_000, finalReminderDelay: 5_000 },
  browse: { emailDelay: 5_000 },
  churn: { threshold: 0.7, offerDelay: 5_000, finalDelay: 5_000 },
  frequencyWindow: 2_000,
  pauseRecheck: 5_000,
  smsProvider: true,
};

/** The same settings as the worker's CAMPAIGN_SETTINGS. */
export function campaignSettingsJson(settings: FuzzSettings): string {
  const s = (ms: number) => `${ms / 1000}s`;
  const pauseRecheck = s(settings.pauseRecheck);
  return JSON.stringify(
    withoutHoldout({
      'cart-abandonment': {
        firstReminderDelay: s(settings.cart.firstReminderDelay),
        secondReminderDelay: s(settings.cart.secondReminderDelay),
        finalReminderDelay: s(settings.cart.finalReminderDelay),
        pauseRecheck,
      },
      'browse-abandonment': { emailDelay: s(settings.browse.emailDelay), pauseRecheck },
      'churn-retention': {
        threshold: settings.churn.threshold,
        offerDelay: s(settings.churn.offerDelay),
        finalDelay: s(settings.churn.finalDelay),
        pauseRecheck,
      },
      contact: { frequencyWindow: s(settings.frequencyWindow), quietHours: { sms: null } },
    }),
  );
}
