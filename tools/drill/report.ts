import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { table } from '../text-table';
import type { Check } from './checks';
import type { InjectedFault } from './faults';
import type { LaunchView } from './launch-view';
import type { RssSummary } from './worker-memory';

export interface DrillReport {
  runId: string;
  finishedAt: string;
  options: { customers: number; rate: number; maxMinutes: number; temporalRestart: boolean };
  minutes: number;
  timedOut: boolean;
  /** An error that stopped the drill before its checks were done. */
  error: string | null;
  passed: boolean;
  machine: { cores: number; memoryGiB: number; os: string; node: string };
  taskQueue: string;
  database: string;
  audience: { customers: number; lines: number; duplicateLines: number; byKind: Record<string, number> };
  launch: {
    launchId: string | null;
    webUi: string | null;
    uploadMs: number | null;
    /** From the upload's answer to the launch's state `completed`. */
    durationMs: number | null;
    entriesPerSecond: number | null;
    view: LaunchView | null;
    workflow: { status: string; currentDetails: string } | null;
  };
  faults: InjectedFault[];
  workerExitedOnItsOwn: number;
  sends: { day0Sent: number; day0Unknown: number; waitedMs: number | null };
  cancel: {
    cancelledAt: string | null;
    launchJourneys: number;
    /** From the cancel request to every launch journey ended `campaign_cancelled` in the journey log. */
    allEndedInMs: number | null;
    /** From the cancel request to the cancellation workflow's state `done` (visibility counts none running). */
    cancellationDoneInMs: number | null;
    cancellationProgress: unknown;
    sentAfterCancel: number | null;
  };
  workerMemory: RssSummary[];
  checks: Check[];
}

export function writeReport(path: string, report: DrillReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** The printed summary: the figures, the worker's memory per phase, then every check. */
export function formatReport(report: DrillReport): string {
  const { launch, cancel } = report;
  const totals = launch.view?.totals;
  const lines = [
    '',
    `Launch and cancel drill ${report.runId}: ${report.options.customers} customers at ${report.options.rate}/s, ` +
      `${report.minutes.toFixed(1)} min`,
    `  launch ${launch.launchId ?? '—'}: upload ${seconds(launch.uploadMs)}, launch ${seconds(launch.durationMs)}` +
      (launch.entriesPerSecond === null ? '' : ` (${launch.entriesPerSecond.toFixed(1)} members settled per second)`),
    totals
      ? `  entered ${totals.entered}, skipped ${totals.skipped} (${Object.entries(totals.reasons)
          .map(([reason, count]) => `${reason} ${count}`)
          .join(', ')}), failed ${totals.failed}, duplicate lines ${launch.view?.duplicates ?? '—'}`
      : '  no launch totals',
    `  faults: ${
      report.faults
        .map(
          (fault) =>
            `${fault.kind} at ${Math.round(fault.atProgress * 100)} % (back in ${seconds(fault.repairedInMs)})`,
        )
        .join(', ') || 'none'
    }; worker exited on its own ${report.workerExitedOnItsOwn}×`,
    `  cancel: ${cancel.launchJourneys} launch journeys ended campaign_cancelled in ${seconds(cancel.allEndedInMs)}; ` +
      `cancellation done (none running in visibility) in ${seconds(cancel.cancellationDoneInMs)}`,
    `  Web UI: ${launch.webUi ?? '—'}`,
    '',
    '  worker memory (RSS, MiB, sampled every second)',
    table([
      ['phase', 'samples', 'processes', 'min', 'median', 'max'],
      ...report.workerMemory.map((phase) => [
        phase.phase,
        String(phase.samples),
        String(phase.processes),
        phase.minMiB.toFixed(1),
        phase.medianMiB.toFixed(1),
        phase.maxMiB.toFixed(1),
      ]),
    ]),
    '',
    '  checks',
    ...report.checks.map((check) =>
      check.ok
        ? `  ✓ ${check.name}: ${check.actual}`
        : `  ✗ ${check.name}: expected ${check.expected}, got ${check.actual}`,
    ),
    '',
  ];
  if (report.error) lines.push(`The drill stopped on an error: ${report.error}`);
  if (report.timedOut) lines.push(`The drill ran out of time (--max-minutes ${report.options.maxMinutes}).`);
  lines.push(
    report.passed ? 'Every check passed.' : `${report.checks.filter((check) => !check.ok).length} check(s) failed.`,
    '',
  );
  return lines.join('\n');
}
