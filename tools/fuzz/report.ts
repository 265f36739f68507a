import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { maskPiiInText } from '../../platform/pii';
import { table } from '../text-table';
import type { OperatorTimeline } from './operator';
import type { FaultWindow } from './scenario';
import { VIOLATION_KINDS, type Violations } from './verdict';

export interface FailingCustomer {
  index: number;
  customerId: string;
  story: string;
  /** When the customer's first action was published; sequence times count from here. */
  startedAt: string;
  violations: Violations;
  problems: string[];
  received: string[];
  /** The model's view: each (campaign/step/channel) with must / may / mustNot and why. */
  expected: string[];
  /** The customer's actions as JSON lines, times relative to the customer's start (PII masked). */
  sequence: string[];
  /** What the delivery ledger recorded for the customer (the run's database is dropped at the end). */
  ledger: string[];
  replay: string;
}

export interface FuzzReport {
  runId: string;
  finishedAt: string;
  seed: number;
  customers: number;
  only: number[] | null;
  minutes: number;
  timedOut: boolean;
  clean: boolean;
  settings: object;
  operator: OperatorTimeline;
  operatorFailures: string[];
  /** When the real SMTP server was unavailable on its own (given to the model as outages). */
  smtpServerOutages: FaultWindow[];
  faultKindsSelected: string[];
  faultsInjected: Record<string, number>;
  faultsNotInjected: string[];
  faultFailures: string[];
  faultWindows: Array<FaultWindow & { fromS: number; toS: number }>;
  events: { published: number; duplicatesPublished: number; cancels: number; deadLetters: number };
  expectations: { must: number; may: number; mustNot: number };
  /** Why the model allowed a message without requiring it. */
  mayBecause: Record<string, number>;
  delivered: number;
  totals: Violations & { stuckPartitions: number };
  byStory: Record<string, Violations & { customers: number }>;
  failing: FailingCustomer[];
}

const HEADINGS = ['duplicates', 'after exit', 'no consent', 'unplanned', 'cap', 'missing'];

export function formatReport(report: FuzzReport): string {
  const row = (name: string, customers: number, v: Violations) => [
    name,
    String(customers),
    ...VIOLATION_KINDS.map((kind) => String(v[kind])),
  ];
  const lines = [
    '',
    `Fuzz run ${report.runId}: seed ${report.seed}, ${report.customers} customers` +
      `${report.only ? ` (only ${report.only.join(',')})` : ''}, ` +
      `${report.minutes.toFixed(1)} min${report.timedOut ? ' (TIMED OUT)' : ''}`,
    table([
      ['story', 'customers', ...HEADINGS],
      ...Object.entries(report.byStory).map(([story, v]) => row(story, v.customers, v)),
      row(
        'all',
        Object.values(report.byStory).reduce((sum, v) => sum + v.customers, 0),
        report.totals,
      ),
    ]),
    `  stuck partitions: ${report.totals.stuckPartitions}`,
    `  messages: ${report.delivered} delivered; ` +
      `the model said ${report.expectations.must} must, ${report.expectations.may} may ` +
      `(${Object.entries(report.mayBecause)
        .map(([why, n]) => `${why} ${n}`)
        .join(', ')}), ${report.expectations.mustNot} must not`,
    `  events: ${report.events.published} published (${report.events.duplicatesPublished} again on purpose), ` +
      `${report.events.cancels} operator cancels, ${report.events.deadLetters} dead-lettered`,
    '',
    table([
      ['faults injected', 'count'],
      ...Object.entries(report.faultsInjected).map(([kind, count]) => [kind, String(count)]),
      ['total', String(Object.values(report.faultsInjected).reduce((sum, count) => sum + count, 0))],
    ]),
  ];
  const at = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  for (const pause of report.operator.pauses)
    lines.push(`  operator: ${pause.campaign} paused ${at(pause.paused.lo)}–${at(pause.resumed.hi)}`);
  for (const change of report.operator.settingsChanges)
    lines.push(
      `  operator: cart settings changed at ${at(change.at.lo)} ` +
        `(first reminder ${change.cart.firstReminderDelay / 1000} s, ` +
        `second ${change.cart.secondReminderDelay / 1000} s)`,
    );
  for (const failure of report.operatorFailures) lines.push(`  operator problem: ${failure}`);
  if (report.faultsNotInjected.length) lines.push(`  NOT injected: ${report.faultsNotInjected.join(', ')}`);
  for (const failure of report.faultFailures) lines.push(`  fault problem: ${failure}`);
  for (const customer of report.failing.slice(0, 10)) {
    lines.push(
      '',
      `  ✗ customer ${customer.index} (${customer.customerId}, ${customer.story}, ` +
        `started ${customer.startedAt.slice(11, 23)})`,
    );
    for (const problem of customer.problems) lines.push(`      ${problem}`);
    lines.push(`      received: ${customer.received.join('; ') || 'nothing'}`);
    lines.push(`      model: ${customer.expected.join('; ')}`);
    for (const row of customer.ledger) lines.push(`      ledger: ${row}`);
    lines.push('      sequence (JSON lines, ms after the customer started):');
    for (const line of customer.sequence) lines.push(`        ${line}`);
    lines.push(`      replay: ${customer.replay}`);
  }
  if (report.failing.length > 10) lines.push(`  … and ${report.failing.length - 10} more customers in the JSON`);
  lines.push('', report.clean ? 'Zero violations of every kind.' : 'FAILED: see above.');
  return `${maskPiiInText(lines.join('\n'))}\n`;
}

export function writeReport(path: string, report: FuzzReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${maskPiiInText(JSON.stringify(report, null, 2))}\n`);
}
