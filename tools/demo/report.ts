import type { CampaignType, Outcome } from '../../contract/journeys';
import { REPLAY_OUTCOMES, type Cast, type Customer } from './cast';
import { emailsTo, textsTo } from './inboxes';
import type { JourneyWatch } from './journey-watch';

export interface CustomerReport {
  customer: Customer;
  journeys: Array<{ campaign: CampaignType; outcome: Outcome | null; replay: boolean }>;
  emails: number;
  sms: number;
  /** Everything that differs from what the customer should have got; empty when all is well. */
  problems: string[];
}

export interface Inboxes {
  mailpitUrl: string;
  smsSandboxUrl: string;
}

/** What each customer got, measured in the mailbox, the SMS inbox and Temporal, against what they should have. */
export async function reportOn(
  cast: Cast,
  watch: JourneyWatch,
  inboxes: Inboxes,
  replayStartedAt: number,
): Promise<CustomerReport[]> {
  await watch.poll();
  return Promise.all(
    Object.values(cast).map(async (customer) => {
      const emails = await emailsTo(inboxes.mailpitUrl, customer.email);
      const texts = customer.phone ? await textsTo(inboxes.smsSandboxUrl, customer.phone) : [];
      const journeys = watch.of(customer.customerId).map((run) => ({
        campaign: run.campaign,
        outcome: run.outcome,
        replay: run.startedAt.getTime() >= replayStartedAt - 500,
      }));
      const problems: string[] = [];
      if (emails.length !== customer.expected.emails)
        problems.push(`${emails.length} emails, expected ${customer.expected.emails}`);
      if (texts.length !== customer.expected.sms)
        problems.push(`${texts.length} SMS, expected ${customer.expected.sms}`);
      const messageIds = new Set(emails.map((email) => email.messageId));
      if (messageIds.size !== emails.length) problems.push(`${emails.length - messageIds.size} duplicate email(s)`);
      for (const [campaign, outcome] of Object.entries(customer.expected.outcomes)) {
        const first = journeys.find((journey) => journey.campaign === campaign && !journey.replay);
        if (first?.outcome !== outcome)
          problems.push(`${campaign} ended ${first?.outcome ?? 'never'}, expected ${outcome}`);
      }
      for (const journey of journeys.filter((run) => run.replay && !REPLAY_OUTCOMES.includes(run.outcome!))) {
        problems.push(
          `a replayed ${journey.campaign} entry ended ${journey.outcome ?? 'never'}, ` +
            `expected one of ${REPLAY_OUTCOMES.join(', ')}`,
        );
      }
      return { customer, journeys, emails: emails.length, sms: texts.length, problems };
    }),
  );
}

/** The table printed at the end of the demo. */
export function reportTable(reports: CustomerReport[]): string[] {
  const rows = [['customer', 'journeys → outcome', 'email', 'SMS', 'expected', '']];
  for (const { customer, journeys, emails, sms, problems } of reports) {
    const first = journeys
      .filter((journey) => !journey.replay)
      .map((journey) => `${journey.campaign} → ${journey.outcome ?? 'running'}`);
    const replays = journeys.filter((journey) => journey.replay).length;
    rows.push([
      customer.customerId,
      `${first.join(', ')}${
        replays
          ? ` (+${replays} replay${replays > 1 ? 's' : ''} → ${[
              ...new Set(journeys.filter((journey) => journey.replay).map((journey) => journey.outcome)),
            ].join('/')})`
          : ''
      }`,
      String(emails),
      String(sms),
      `${customer.expected.emails} + ${customer.expected.sms}`,
      problems.length ? `✗ ${problems.join('; ')}` : '✓',
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}`.trimEnd());
}
