import { cpus, totalmem } from 'node:os';
import type { BridgeResult } from './bridge-throughput';
import type { CeilingLevel } from './ceiling';
import type { EventToMessageResult } from './event-to-message';
import type { NaiveResult } from './naive-throughput';
import type { WaitingResult } from './waiting-journeys';
import type { DistanceResult } from './distance';
import type { BurstyResult } from './bursty';
import type { JourneyCostResult } from './journey-cost';
import type { CombinedCost } from './cost-rounds';

export interface BenchResults {
  ceiling?: { levels: CeilingLevel[]; best: CeilingLevel };
  bridge?: BridgeResult;
  naive?: NaiveResult;
  eventToMessage?: EventToMessageResult[];
  waiting?: WaitingResult[];
  distance?: DistanceResult[];
  bursty?: BurstyResult[];
  /** Per version, all rounds together; each round's own figures are in `costRounds`. */
  cost?: CombinedCost[];
  costRounds?: JourneyCostResult[];
}

export interface Verdict {
  what: string;
  value: string;
  target: string;
  met: boolean | null;
}

export const TARGETS = {
  bridgeOverCeiling: 0.9,
  bridgeOverNaive: 10,
  eventToMessageP99Ms: 1000,
  workerRssMb: 512,
  /** At a 50 ms round trip (issue 20). */
  farBridgeOverCeiling: 0.9,
  farBridgeOverNaive: 5,
  burstyOverCeiling: 2,
  /** History events and server CPU per cart journey, against the code before issue 20. */
  costReduction: 0.3,
  sustainedRateGain: 1.5,
};

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
  const { ceiling, bridge, naive, eventToMessage, waiting, distance, bursty, cost } = results;
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
        `event → email, ${e.label}, p50 / p95 / p99 at ${perSecond(e.offeredPerSecond)} ` +
        `(${e.delivered}/${e.events} delivered, ${e.duplicates} duplicates)`,
      value: `${ms(e.eventToMessageMs.p50)} / ${ms(e.eventToMessageMs.p95)} / ${ms(e.eventToMessageMs.p99)}`,
      target: `p99 ≤ ${TARGETS.eventToMessageP99Ms} ms`,
      met:
        e.delivered === e.events && e.duplicates === 0
          ? e.eventToMessageMs.p99 <= TARGETS.eventToMessageP99Ms
            ? true
            : null // a rung above what the machine sustains: the ladder's point, not a failure
          : false,
    });
  }
  for (const lane of distance ?? []) {
    const far = `at ${lane.roundTripMs} ms round trip`;
    const overCeiling = lane.bridge.perSecond / lane.ceiling.perSecond;
    const overNaive = lane.bridge.perSecond / lane.naive.perSecond;
    const complete = lane.bridge.routed === lane.bridge.produced && lane.naive.routed === lane.naive.produced;
    rows.push({
      what:
        `${far}: ceiling (concurrency ${lane.ceiling.concurrency}) / naive / bridge ` +
        `(${lane.bridge.routed}/${lane.bridge.produced} routed)`,
      value: [lane.ceiling, lane.naive, lane.bridge].map((measured) => perSecond(measured.perSecond)).join(' / '),
      target: '',
      met: complete ? null : false,
    });
    const gated = lane.roundTripMs >= 50;
    const before = lane.bridgeBefore;
    if (before)
      rows.push({
        what: `${far}: the bridge before issue 20 (${before.routed}/${before.produced} routed)`,
        value: `${perSecond(before.perSecond)}, ${(before.perSecond / lane.ceiling.perSecond).toFixed(2)} of ceiling`,
        target: '',
        met: before.routed === before.produced ? null : false,
      });
    rows.push({
      what: `${far}: bridge / ceiling`,
      value: overCeiling.toFixed(2),
      target: gated ? `≥ ${TARGETS.farBridgeOverCeiling}` : '',
      met: gated ? overCeiling >= TARGETS.farBridgeOverCeiling : null,
    });
    rows.push({
      what: `${far}: bridge / naive`,
      value: overNaive.toFixed(1),
      target: gated ? `≥ ${TARGETS.farBridgeOverNaive}` : '',
      met: gated ? overNaive >= TARGETS.farBridgeOverNaive : null,
    });
  }
  for (const mix of bursty ?? []) {
    const complete = mix.deadLettered === 0 && mix.browseJourneys === mix.customers;
    rows.push({
      what:
        `bursty mix, ${mix.label}: events routed per second ` +
        `(${mix.events} events, ${mix.deadLettered} dead-lettered, ` +
        `${mix.browseJourneys}/${mix.customers} browse journeys)`,
      value: perSecond(mix.perSecond),
      target: '',
      met: complete ? null : false,
    });
    if (ceiling) {
      const ratio = mix.perSecond / ceiling.best.perSecond;
      rows.push({
        what: `bursty mix, ${mix.label}: events routed / one-call-per-event ceiling`,
        value: ratio.toFixed(2),
        target: mix.label === 'now' ? `≥ ${TARGETS.burstyOverCeiling}` : '',
        met: mix.label === 'now' ? ratio >= TARGETS.burstyOverCeiling : null,
      });
    }
  }
  const costOf = (label: string) => cost?.find((entry) => entry.label === label);
  for (const entry of cost ?? [])
    rows.push({
      what:
        `completed cart journey, ${entry.label} (${entry.completed}/${entry.journeys}, ${entry.rounds} rounds): ` +
        'history events / workflow tasks / server CPU (rounds from–to)',
      value:
        `${entry.historyEvents.toFixed(1)} / ${entry.workflowTasks.toFixed(1)} / ` +
        `${entry.temporalCpuMsPerJourney.toFixed(1)} ms (${entry.temporalCpuMsRange[0].toFixed(0)}–` +
        `${entry.temporalCpuMsRange[1].toFixed(0)})`,
      target: '',
      met: entry.completed === entry.journeys ? null : false,
    });
  const [costNow, costBefore] = [costOf('now'), costOf('before')];
  if (costNow && costBefore) {
    const fewerEvents = 1 - costNow.historyEvents / costBefore.historyEvents;
    const lessCpu = 1 - costNow.temporalCpuMsPerJourney / costBefore.temporalCpuMsPerJourney;
    rows.push({
      what: 'cart journey: history events below the code before issue 20',
      value: `${(fewerEvents * 100).toFixed(0)}%`,
      target: `≥ ${TARGETS.costReduction * 100}%`,
      met: fewerEvents >= TARGETS.costReduction,
    });
    rows.push({
      what: 'cart journey: Temporal server CPU below the code before issue 20',
      value: `${(lessCpu * 100).toFixed(0)}%`,
      target: `≥ ${TARGETS.costReduction * 100}%`,
      met: lessCpu >= TARGETS.costReduction,
    });
  }
  const sustained = (label: string) => sustainedRate(eventToMessage ?? [], label);
  const [rateNow, rateBefore] = [sustained('now'), sustained('before')];
  if (rateNow !== null && rateBefore !== null) {
    rows.push({
      what: `highest rate with event → email p99 ≤ 1 s: now / before issue 20`,
      value: `${rateNow.toFixed(1)}/s / ${rateBefore.toFixed(1)}/s (${(rateNow / rateBefore).toFixed(2)}×)`,
      target: `≥ ${TARGETS.sustainedRateGain}×`,
      met: rateNow / rateBefore >= TARGETS.sustainedRateGain,
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

/** Every email arrived, and event → email p99 stayed within 1 s. */
export function heldWithinTarget(result: EventToMessageResult): boolean {
  return result.delivered === result.events && result.eventToMessageMs.p99 <= TARGETS.eventToMessageP99Ms;
}

/** The highest offered rate of a code version's ladder at which event → email p99 stayed within 1 s. */
export function sustainedRate(results: EventToMessageResult[], label: string): number | null {
  const held = results.filter((e) => e.label === label && heldWithinTarget(e));
  return held.length > 0 ? Math.max(...held.map((e) => e.offeredPerSecond)) : null;
}
