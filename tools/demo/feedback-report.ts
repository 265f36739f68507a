import type { Db } from '../../platform/db/database';
import type { Cast, Customer } from './cast';

/** What the loop after the send recorded for one customer, read from PostgreSQL. */
export interface CustomerFeedback {
  customer: Customer;
  /** One line per message: "reminder-1 email: delivered, opened 1, clicked 1". */
  messages: string[];
  emailConsent: boolean | null;
  smsConsent: boolean | null;
  suppressions: string[];
  /** Everything that differs from the cast's expected feedback; empty when all is well. */
  problems: string[];
}

export async function feedbackOf(db: Db, cast: Cast): Promise<CustomerFeedback[]> {
  return Promise.all(
    Object.values(cast).map(async (customer) => {
      const rows = await db
        .selectFrom('deliveries')
        .select(['step', 'channel', 'state', 'delivery_status', 'open_count', 'click_count'])
        .where('customer_id', '=', customer.customerId)
        .where('state', '=', 'sent')
        .orderBy('created_at')
        .execute();
      const profile = await db
        .selectFrom('customer_profiles')
        .select(['email_opt_in', 'sms_opt_in'])
        .where('customer_id', '=', customer.customerId)
        .executeTakeFirst();
      const suppressions = await db
        .selectFrom('suppressions')
        .select(['reason', 'source'])
        .where('address', '=', customer.email.toLowerCase())
        .where('lifted_at', 'is', null)
        .execute();
      const expected = customer.expected.feedback ?? {};
      const problems: string[] = [];
      const opened = rows.some((row) => row.open_count > 0);
      const clicked = rows.some((row) => row.click_count > 0);
      if (expected.opened !== undefined && opened !== expected.opened) problems.push(`opened: ${opened}`);
      if (expected.clicked !== undefined && clicked !== expected.clicked) problems.push(`clicked: ${clicked}`);
      if (expected.emailConsent !== undefined && profile?.email_opt_in !== expected.emailConsent)
        problems.push(`email consent ${String(profile?.email_opt_in)}, expected ${expected.emailConsent}`);
      if (expected.smsConsent !== undefined && profile?.sms_opt_in !== expected.smsConsent)
        problems.push(`SMS consent ${String(profile?.sms_opt_in)}, expected ${expected.smsConsent}`);
      const suppressedFor = suppressions.map((row) => row.reason);
      if (expected.suppressed && !suppressedFor.includes(expected.suppressed))
        problems.push(`not suppressed for ${expected.suppressed}`);
      if (!expected.suppressed && suppressedFor.length) problems.push(`suppressed (${suppressedFor.join(', ')})`);
      return {
        customer,
        messages: rows.map((row) => {
          const opens = row.open_count ? `, opened ${row.open_count}` : '';
          const clicks = row.click_count ? `, clicked ${row.click_count}` : '';
          return `${row.step} ${row.channel}: ${row.delivery_status ?? 'accepted'}${opens}${clicks}`;
        }),
        emailConsent: profile?.email_opt_in ?? null,
        smsConsent: profile?.sms_opt_in ?? null,
        suppressions: suppressions.map((row) => `${row.reason} (${row.source})`),
        problems,
      };
    }),
  );
}

/** The "after the send" table of the demo. */
export function feedbackLines(report: CustomerFeedback[]): string[] {
  return report.flatMap(({ customer, messages, emailConsent, smsConsent, suppressions, problems }) => [
    `  ${customer.name.padEnd(6)} consent email ${emailConsent ? 'yes' : 'no'}, SMS ${smsConsent ? 'yes' : 'no'}` +
      `${suppressions.length ? `; suppressed: ${suppressions.join(', ')}` : ''}  ` +
      `${problems.length ? `✗ ${problems.join('; ')}` : '✓'}`,
    ...messages.map((line) => `         ${line}`),
  ]);
}
