import { CAMPAIGN_TYPES } from '../../contract/campaigns';
import { table } from '../text-table';
import type { ReportView as Report } from '../../admin/report-schemas';
import type { AdminClient } from './admin-client';

/** Each campaign's report (GET /campaigns/{campaign}/report) since the demo began, as console lines. */
export async function campaignReportLines(admin: AdminClient, from: Date): Promise<string[]> {
  const rows = [
    [
      'campaign',
      'group',
      'entered',
      'sent',
      'delivered',
      'opened',
      'clicked',
      'held out',
      'converted',
      'rate',
      'revenue',
    ],
  ];
  const lifts: string[] = [];
  for (const campaign of CAMPAIGN_TYPES) {
    const query = `from=${from.toISOString()}&to=${new Date(Date.now() + 1_000).toISOString()}`;
    const answer = await admin.request<Report>('GET', `/campaigns/${campaign}/report?${query}`);
    if (answer.status !== 200) throw new Error(`the ${campaign} report answered ${answer.status}`);
    for (const row of answer.body.groups)
      rows.push([
        row.group === 'treatment' ? campaign : '',
        row.group,
        ...[row.entered, row.sent, row.delivered, row.opened, row.clicked, row.heldOut, row.converted].map(String),
        row.conversionRate === null ? '-' : `${(row.conversionRate * 100).toFixed(1)}%`,
        Object.entries(row.revenue)
          .map(([currency, amount]) => `${amount} ${currency}`)
          .join(', ') || '-',
      ]);
    lifts.push(`  ${campaign.padEnd(20)} ${liftText(answer.body)}`);
  }
  return [table(rows), '', '  Lift of the treatment over the holdout (conversion rate, 95% interval):', ...lifts];
}

function liftText(report: Report): string {
  const lift = report.lift?.conversionRate;
  if (!lift) return report.note ?? 'no estimate';
  const points = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}`;
  const interval = lift.ci95 ? ` [${points(lift.ci95[0])}, ${points(lift.ci95[1])}]` : '';
  return `${points(lift.difference)} points${interval}`;
}
