import { cpus, totalmem } from 'node:os';
import type { BridgeResult } from './bridge-throughput';
import type { CeilingLevel } from './ceiling';
import type { EventToMessageResult } from './event-to-message';
import type { NaiveResult } from './naive-throughput';
import type { WaitingResult } from './waiting-journeys';

export interface BenchResults {
  ceiling?: { levels: CeilingLevel[]; best: CeilingLevel };
  bridge?: BridgeResult;
  naive?: NaiveResult;
  eventToMessage?: EventToMessageResult[];
  waiting?: WaitingResult[];
}

export interface Verdict {
  what: string;
  value: string;
  target: string;
  met: boolean | null;
}

export const TARGETS = { bridgeOverCeiling: 0.9, bridgeOverNaive: 10, eventToMessageP99Ms: 1000, workerRssMb: 512 };

export function machine() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : 'n/a');
const perSecond = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)}/s` : 'n/a');

/** The figures, side by side with the targets of issue 8. `met` is null where nothing was measured. */
export function verdicts(results: BenchResults): Verdict[] {
  const rows: Verdict[] = [];
  const { ceiling, bridge, naive, eventToMessage, waiting } = results;
  if (ceiling)
    rows.push({
      what: 'ceiling: signalWithStart from a script',
      value: `${perSecond(ceiling.best.perSecond)} at concurrency ${ceiling.best.concurrency}`,
      target: '',
      met: null,
    });
  if (bridge) {
    rows.push({
      what: `bridge: events routed into Temporal (offered ${perSecond(bridge.offeredPerSecond)})`,
      value: `${perSecond(bridge.perSecond)} (${bridge.routed}/${bridge.produced})`,
      target: '',
      met: bridge.routed === bridge.produced ? null : false,
    });
    rows.push({
      what: 'bridge: event → acknowledge p50 / p95 / p99',
      value: `${ms(bridge.eventToAckMs.p50)} / ${ms(bridge.eventToAckMs.p95)} / ${ms(bridge.eventToAckMs.p99)}`,
      target: '',
      met: null,
    });
  }
  if (naive)
    rows.push({
      what: 'naive bridge: one message at a time, awaited',
      value: `${perSecond(naive.perSecond)} (${naive.routed}/${naive.produced})`,
      target: '',
      met: naive.routed === naive.produced ? null : false,
    });
  if (bridge && ceiling) {
    const ratio = bridge.perSecond / ceiling.best.perSecond;
    rows.push({
      what: 'bridge / ceiling',
      value: ratio.toFixed(2),
      target: `≥ ${TARGETS.bridgeOverCeiling}`,
      met: ratio >= TARGETS.bridgeOverCeiling,
    });
  }
  if (bridge && naive) {
    const ratio = bridge.perSecond / naive.perSecond;
    rows.push({
      what: 'bridge / naive',
      value: ratio.toFixed(1),
      target: `≥ ${TARGETS.bridgeOverNaive}`,
      met: ratio >= TARGETS.bridgeOverNaive,
    });
  }
  for (const e of eventToMessage ?? []) {
    rows.push({
      what:
        `event → email p50 / p95 / p99 at ${perSecond(e.offeredPerSecond)} ` +
        `(${e.delivered}/${e.events} delivered, ${e.duplicates} duplicates)`,
      value: `${ms(e.eventToMessageMs.p50)} / ${ms(e.eventToMessageMs.p95)} / ${ms(e.eventToMessageMs.p99)}`,
      target: `p99 ≤ ${TARGETS.eventToMessageP99Ms} ms`,
      met: e.delivered === e.events && e.duplicates === 0 && e.eventToMessageMs.p99 <= TARGETS.eventToMessageP99Ms,
    });
  }
  for (const level of waiting ?? []) {
    rows.push({
      what: `worker with ${level.journeys} waiting journeys: RSS, idle CPU`,
      value: `${level.workerRssMb.toFixed(0)} MB, ${level.idleWorkerCpuPercent.toFixed(1)}%`,
      target: `RSS ≤ ${TARGETS.workerRssMb} MB`,
      met: level.workerRssMb <= TARGETS.workerRssMb,
    });
  }
  return rows;
}

export function table(rows: Verdict[]): string[] {
  const width = (pick: (row: Verdict) => string) => Math.max(...rows.map((row) => pick(row).length));
  const [what, value, target] = [width((row) => row.what), width((row) => row.value), width((row) => row.target)];
  return rows.map(
    (row) =>
      `  ${row.what.padEnd(what)}  ${row.value.padEnd(value)}  ${row.target.padEnd(target)}  ` +
      `${row.met === null ? '' : row.met ? '✓' : '✗'}`,
  );
}
