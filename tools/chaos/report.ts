import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { maskPiiInText } from '../../platform/pii';
import { table } from '../text-table';
import type { LedgerRow } from './ledger';
import type { Verdict } from './verdict';

export interface ChaosReport {
  runId: string;
  finishedAt: string;
  seed: number;
  customers: number;
  minutes: number;
  timedOut: boolean;
  clean: boolean;
  machine: { cores: number; memoryGiB: number; os: string; node: string };
  settings: object;
  events: { published: number; duplicatesPublished: number; deadLetters: number; replayed: number };
  faults: Record<string, number>;
  /** Killed by a fault and restarted, or exited on their own and restarted. */
  restarts: { killedAndRestarted: Record<string, number>; exitedOnTheirOwn: Record<string, number> };
  journeys: { closedBeforeReplay: number; closedAfterReplay: number };
  verdict: Verdict;
  ledgerOfFindings: LedgerRow[];
}

/** The printed summary: counts by story, then faults and restarts, then any customer that is off. */
export function formatReport(report: ChaosReport): string {
  const { verdict } = report;
  const countRow = (name: string, c: Verdict['total']) =>
    [name, c.customers, c.expected, c.delivered, c.duplicates, c.missing, c.afterExit].map(String);
  const lines = [
    '',
    `Chaos run ${report.runId}: ${report.customers} customers, seed ${report.seed}, ` +
      `${report.minutes.toFixed(1)} min${report.timedOut ? ' (TIMED OUT)' : ''}`,
    table([
      ['story', 'customers', 'messages expected', 'delivered', 'duplicates', 'missing', 'after exit'],
      ...Object.entries(verdict.byStory).map(([story, counts]) => countRow(story, counts)),
      countRow('all', verdict.total),
    ]),
    '',
    table([
      ['faults injected', 'count'],
      ...Object.entries(report.faults).map(([kind, count]) => [kind, String(count)]),
      ['total', String(Object.values(report.faults).reduce((sum, count) => sum + count, 0))],
    ]),
    '',
    `  process restarts: after kill -9 worker ${report.restarts.killedAndRestarted.worker ?? 0}, ` +
      `bridge ${report.restarts.killedAndRestarted.bridge ?? 0}; ` +
      `exited on their own and restarted: worker ${report.restarts.exitedOnTheirOwn.worker ?? 0}, ` +
      `bridge ${report.restarts.exitedOnTheirOwn.bridge ?? 0}`,
    `  events: ${report.events.published} published (${report.events.duplicatesPublished} deliberate duplicates), ` +
      `${report.events.replayed} replayed from offset 0 by a new consumer group, ` +
      `${report.events.deadLetters} dead-lettered`,
    `  journeys ended: ${report.journeys.closedBeforeReplay} before the replay, ` +
      `${report.journeys.closedAfterReplay} after it`,
    `  machine: ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, ` +
      `${report.machine.os}, Node ${report.machine.node}`,
  ];
  for (const finding of verdict.findings.slice(0, 25)) {
    lines.push(
      `  ✗ ${finding.customerId} (${finding.story}, ${finding.reach}): ` +
        `expected ${finding.expected}, got ${finding.got}` +
        `${finding.afterExit ? `, ${finding.afterExit} after the exit` : ''}`,
    );
    for (const row of report.ledgerOfFindings.filter((entry) => entry.customerId === finding.customerId)) {
      lines.push(
        `      ledger: ${row.step} ${row.channel} ${row.state} (attempts ${row.attempts})` +
          `${row.reason ? `: ${maskPiiInText(row.reason)}` : ''}`,
      );
    }
  }
  if (verdict.findings.length > 25) lines.push(`  … and ${verdict.findings.length - 25} more in the JSON`);
  lines.push(
    '',
    report.clean ? 'Zero duplicates, zero missing, zero messages after an exit.' : 'FAILED: see the counts above.',
  );
  return `${lines.join('\n')}\n`;
}

export function writeReport(path: string, report: ChaosReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
