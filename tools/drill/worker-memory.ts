import { readFileSync } from 'node:fs';

export interface RssSample {
  atMs: number;
  phase: string;
  pid: number;
  rssMiB: number;
}

export interface RssSummary {
  phase: string;
  samples: number;
  /** Distinct worker processes sampled in the phase (a kill -9 and restart makes two). */
  processes: number;
  minMiB: number;
  medianMiB: number;
  maxMiB: number;
}

/** VmRSS of a process, in MiB, from /proc/<pid>/status; null when it is gone or unreadable. */
export function readRssMiB(pid: number): number | null {
  try {
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) / 1024;
  } catch {
    return null;
  }
}

/**
 * Samples the worker's resident memory every second, labelled with the drill's current phase;
 * `pidOf` answers the current worker's process ID (a new one after a restart), or null while it is down.
 */
export class WorkerMemory {
  readonly samples: RssSample[] = [];
  phase = 'start';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pidOf: () => number | null,
    private readonly read: (pid: number) => number | null = readRssMiB,
  ) {}

  start(intervalMs = 1_000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): void {
    const pid = this.pidOf();
    if (pid === null) return;
    const rssMiB = this.read(pid);
    if (rssMiB !== null) this.samples.push({ atMs: Date.now(), phase: this.phase, pid, rssMiB });
  }

  /** Min, median and max per phase, in the order the phases came. */
  summary(): RssSummary[] {
    return summarize(this.samples);
  }
}

export function summarize(samples: RssSample[]): RssSummary[] {
  const phases = [...new Set(samples.map((sample) => sample.phase))];
  return phases.map((phase) => {
    const of = samples.filter((sample) => sample.phase === phase);
    const sorted = of.map((sample) => sample.rssMiB).sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return {
      phase,
      samples: of.length,
      processes: new Set(of.map((sample) => sample.pid)).size,
      minMiB: round(sorted[0]!),
      medianMiB: round(median),
      maxMiB: round(sorted.at(-1)!),
    };
  });
}

const round = (mib: number) => Math.round(mib * 10) / 10;
