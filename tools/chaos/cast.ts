/** The chaos run's customers: six stories, each customer in one campaign, each with its exact messages. */

export type Story =
  'cart-completes' | 'cart-converts' | 'cart-unsubscribes' | 'browse' | 'churn-completes' | 'churn-returns';
export type SmsReach = 'sms' | 'no-phone' | 'no-sms-consent';
export type Campaign = 'cart-abandonment' | 'browse-abandonment' | 'churn-retention';

export const STORIES: Story[] = [
  'cart-completes',
  'cart-converts',
  'cart-unsubscribes',
  'browse',
  'churn-completes',
  'churn-returns',
];
const REACH: SmsReach[] = ['sms', 'no-phone', 'no-sms-consent'];

export const CAMPAIGN_OF: Record<Story, Campaign> = {
  'cart-completes': 'cart-abandonment',
  'cart-converts': 'cart-abandonment',
  'cart-unsubscribes': 'cart-abandonment',
  browse: 'browse-abandonment',
  'churn-completes': 'churn-retention',
  'churn-returns': 'churn-retention',
};

export interface Expected {
  email: number;
  sms: number;
}

export interface ChaosCustomer {
  customerId: string;
  email: string;
  /** Present unless the customer gave no phone number. */
  phone: string | null;
  smsOptIn: boolean;
  story: Story;
  reach: SmsReach;
  expected: Expected;
  /** The story ends early (order, unsubscribe, visit) once its first message has been delivered. */
  exits: boolean;
}

function expectedFor(story: Story, canText: boolean): Expected {
  switch (story) {
    // reminder 1 by email, 2 by SMS (by email without SMS), the final by email
    case 'cart-completes':
      return canText ? { email: 2, sms: 1 } : { email: 3, sms: 0 };
    // win-back email, SMS offer (skipped without SMS), last email
    case 'churn-completes':
      return canText ? { email: 2, sms: 1 } : { email: 2, sms: 0 };
    // one message, then the exit (or, for browse, the journey's only email)
    default:
      return { email: 1, sms: 0 };
  }
}

/** `count` customers spread evenly over the stories and, within each story, over the three SMS cases. */
export function castOf(runId: string, count: number): ChaosCustomer[] {
  return Array.from({ length: count }, (_, index) => {
    const story = STORIES[index % STORIES.length]!;
    const reach = REACH[Math.floor(index / STORIES.length) % REACH.length]!;
    const customerId = `chaos-${runId}-${index}`;
    return {
      customerId,
      email: `${customerId}@chaos-${runId}.example`,
      phone: reach === 'no-phone' ? null : `+1555${1_000_000 + index}`,
      smsOptIn: reach === 'sms',
      story,
      reach,
      expected: expectedFor(story, reach === 'sms'),
      exits: story === 'cart-converts' || story === 'cart-unsubscribes' || story === 'churn-returns',
    };
  });
}
