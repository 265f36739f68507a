import type { CampaignType, Outcome } from '../../contract/journeys';

/** One storefront customer of the demo, and what the engine must do for them. */
export interface Customer {
  name: string;
  customerId: string;
  email: string;
  phone: string | null;
  /** The campaigns their story touches. */
  campaigns: CampaignType[];
  /** Messages they must receive: exactly this many, each once; and what the feedback must have recorded. */
  expected: {
    emails: number;
    sms: number;
    outcomes: Partial<Record<CampaignType, Outcome>>;
    feedback?: ExpectedFeedback;
  };
}

/** What the loop after the send must show for a customer: in the ledger, the profile, the suppression list. */
export interface ExpectedFeedback {
  clicked?: boolean;
  opened?: boolean;
  emailConsent?: boolean;
  smsConsent?: boolean;
  suppressed?: 'hard_bounce';
}

export type Cast = Record<'ann' | 'bob' | 'carla' | 'dev' | 'erin' | 'dana', Customer>;

/** The demo's customers; `stamp` keeps each run's customers apart from earlier runs. */
export function castFor(stamp: string): Cast {
  const customer = (
    name: string,
    phone: string | null,
    campaigns: CampaignType[],
    expected: Customer['expected'],
  ): Customer => {
    const customerId = `${name.toLowerCase()}-${stamp}`;
    return { name, customerId, email: `${customerId}@storefront.example`, phone, campaigns, expected };
  };
  return {
    ann: customer('Ann', '+15550100001', ['cart-abandonment'], {
      emails: 2,
      sms: 1,
      outcomes: { 'cart-abandonment': 'completed' },
      feedback: { smsConsent: false, emailConsent: true },
    }),
    bob: customer('Bob', null, ['cart-abandonment', 'post-purchase'], {
      emails: 2,
      sms: 0,
      outcomes: { 'cart-abandonment': 'converted', 'post-purchase': 'completed' },
    }),
    carla: customer('Carla', null, ['browse-abandonment'], {
      emails: 1,
      sms: 0,
      outcomes: { 'browse-abandonment': 'completed' },
      feedback: { suppressed: 'hard_bounce' },
    }),
    dev: customer('Dev', '+15550100004', ['churn-retention'], {
      emails: 1,
      sms: 0,
      outcomes: { 'churn-retention': 'customer_returned' },
      feedback: { opened: true, clicked: true },
    }),
    erin: customer('Erin', null, ['cart-abandonment'], {
      emails: 1,
      sms: 0,
      outcomes: { 'cart-abandonment': 'completed' },
      feedback: { emailConsent: false },
    }),
    dana: customer('Dana', null, ['cart-abandonment'], {
      emails: 0,
      sms: 0,
      outcomes: { 'cart-abandonment': 'not_contactable' },
    }),
  };
}

/** Outcomes a replayed entry event may end in: it never becomes a second journey. */
export const REPLAY_OUTCOMES: readonly Outcome[] = ['duplicate_entry', 'stale_event'];
