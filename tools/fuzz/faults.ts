import { between, seededRandom, shuffled } from '../chaos/rng';
import type { FaultActions } from '../chaos/fault-actions';
import type { FaultKind, FaultWindow } from './scenario';

/** One planned fault: when it starts (ms after the run's start), how long it lasts, which process. */
export interface PlannedFault {
  kind: FaultKind;
  atMs: number;
  durationMs: number;
  index: number;
}

const DURATION_MS: Record<FaultKind, [number, number]> = {
  'smtp refuse': [3_000, 8_000],
  'smtp black hole': [3_000, 8_000],
  'smtp slow': [3_000, 8_000],
  'smtp auth failure': [4_000, 10_000],
  'smtp 4xx': [3_000, 8_000],
  'smtp 5xx incident': [2_000, 5_000],
  'twilio refuse': [3_000, 8_000],
  'twilio black hole': [3_000, 8_000],
  'twilio slow': [3_000, 8_000],
  'twilio auth failure': [4_000, 10_000],
  'twilio 5xx': [3_000, 8_000],
  'kill -9 worker': [500, 3_000],
  'kill -9 bridge': [500, 3_000],
  'restart Temporal': [1_000, 3_000],
  'restart Kafka': [1_000, 3_000],
  'restart PostgreSQL': [1_000, 3_000],
};
const GAP_MS: [number, number] = [1_500, 4_000];

/**
 * The run's faults from its seed: every selected kind once in a random order, then random ones,
 * one after another, until `untilMs`. The plan is only a start time for each: a fault whose repair
 * takes longer (a service restart) pushes the next ones back.
 */
export function planFaults(seed: number, kinds: FaultKind[], untilMs: number, startMs = 3_000): PlannedFault[] {
  const random = seededRandom((seed ^ 0x5bd1e995) >>> 0);
  const plan: PlannedFault[] = [];
  let at = startMs;
  const firstRound = shuffled(random, kinds);
  while (kinds.length > 0 && (firstRound.length > 0 || at < untilMs)) {
    const kind = firstRound.shift() ?? kinds[between(random, 0, kinds.length - 1)]!;
    const durationMs = between(random, ...DURATION_MS[kind]);
    plan.push({ kind, atMs: at, durationMs, index: between(random, 0, 1) });
    at += durationMs + between(random, ...GAP_MS);
  }
  return plan;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs a plan; each fault's window runs from its injection to the end of its repair. */
export class FaultRunner {
  readonly windows: FaultWindow[] = [];
  readonly failures: string[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly actions: FaultActions,
    private readonly plan: PlannedFault[],
    private readonly say: (line: string) => void,
  ) {}

  start(runStartedAt: number): void {
    this.loop = this.run(runStartedAt);
  }

  /** Waits for the plan to finish (or, with `now`, for the fault in progress to be repaired). */
  async finish(now = false): Promise<void> {
    if (now) this.stopped = true;
    await this.loop;
  }

  get done(): boolean {
    return this.windows.length + this.failures.length >= this.plan.length || this.stopped;
  }

  injected(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const window of this.windows) counts[window.kind] = (counts[window.kind] ?? 0) + 1;
    return counts;
  }

  private async run(runStartedAt: number): Promise<void> {
    for (const fault of this.plan) {
      const wait = runStartedAt + fault.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      if (this.stopped) return;
      const from = Date.now();
      try {
        const what = await this.actions.inject(fault.kind, fault.index);
        this.say(`FAULT ${what} for ${(fault.durationMs / 1000).toFixed(1)} s`);
        await sleep(fault.durationMs);
      } catch (error) {
        this.failures.push(`${fault.kind}: ${(error as Error).message.split('\n')[0]}`);
      }
      try {
        await this.actions.repair(fault.kind, fault.index);
      } catch (error) {
        this.failures.push(`${fault.kind} repair: ${(error as Error).message.split('\n')[0]}`);
      }
      this.windows.push({ kind: fault.kind, from, to: Date.now() });
    }
  }
}

/**
 * Windows in which the real SMTP server was unavailable on its own (someone else restarted it, say),
 * seen by the proxy as failed upstream connections: to the model it is an SMTP outage that began a
 * moment before the first failure, like an injected one.
 */
export function observedSmtpOutages(failures: number[], gapMs = 3_000): FaultWindow[] {
  const windows: FaultWindow[] = [];
  for (const at of [...failures].sort((a, b) => a - b)) {
    const last = windows.at(-1);
    if (last && at - last.to <= gapMs) last.to = at;
    else windows.push({ kind: 'smtp refuse', from: at - 1_000, to: at });
  }
  return windows;
}
