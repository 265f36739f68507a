import type { ChaosCustomer, Story } from './cast';
import type { Delivery } from './inbox';

export interface Counts {
  customers: number;
  expected: number;
  delivered: number;
  duplicates: number;
  missing: number;
  afterExit: number;
}

export interface Finding {
  customerId: string;
  story: Story;
  reach: string;
  expected: string;
  got: string;
  afterExit: number;
}

export interface Verdict {
  total: Counts;
  byStory: Record<string, Counts>;
  findings: Finding[];
}

const zero = (): Counts => ({ customers: 0, expected: 0, delivered: 0, duplicates: 0, missing: 0, afterExit: 0 });

/**
 * Compares what each customer received with their story, channel by channel. A duplicate is a
 * message beyond the story's count, or a Message-ID delivered twice; missing is a message short of
 * it; after-exit is any message delivered after the customer's exit event was published.
 */
export function judge(
  customers: ChaosCustomer[],
  deliveries: Map<string, Delivery[]>,
  exitPublishedAt: Map<string, number>,
): Verdict {
  const byStory: Record<string, Counts> = {};
  const total = zero();
  const findings: Finding[] = [];
  for (const customer of customers) {
    const received = deliveries.get(customer.customerId) ?? [];
    const counts: Counts = {
      ...zero(),
      customers: 1,
      expected: customer.expected.email + customer.expected.sms,
      delivered: received.length,
    };
    const got = { email: 0, sms: 0 };
    for (const channel of ['email', 'sms'] as const) {
      const onChannel = received.filter((delivery) => delivery.channel === channel);
      got[channel] = onChannel.length;
      const distinct = new Set(onChannel.map((delivery) => delivery.id)).size;
      counts.duplicates += Math.max(0, onChannel.length - customer.expected[channel], onChannel.length - distinct);
      counts.missing += Math.max(0, customer.expected[channel] - onChannel.length);
    }
    const exitAt = exitPublishedAt.get(customer.customerId);
    if (exitAt !== undefined) counts.afterExit = received.filter((delivery) => delivery.at > exitAt).length;
    if (counts.duplicates || counts.missing || counts.afterExit) {
      findings.push({
        customerId: customer.customerId,
        story: customer.story,
        reach: customer.reach,
        expected: `${customer.expected.email} email + ${customer.expected.sms} SMS`,
        got: `${got.email} email + ${got.sms} SMS`,
        afterExit: counts.afterExit,
      });
    }
    const story = (byStory[customer.story] ??= zero());
    for (const key of Object.keys(total) as Array<keyof Counts>) {
      story[key] += counts[key];
      total[key] += counts[key];
    }
  }
  return { total, byStory, findings };
}

export const isClean = (verdict: Verdict) =>
  verdict.total.duplicates === 0 && verdict.total.missing === 0 && verdict.total.afterExit === 0;
