import type { ChildApp } from '../chaos/processes';
import { stackService } from '../chaos/stack';

export interface InjectedFault {
  kind: 'kill -9 worker' | 'restart Temporal';
  /** How far the launch had got (settled members / audience) when it was injected. */
  atProgress: number;
  atMs: number;
  /** From the fault to the worker (or Temporal) being back. */
  repairedInMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The faults of the drill, each once, in the middle of the launch: the worker killed with -9 at a
 * quarter of the audience and started again a second later; the local Temporal dev server restarted
 * (infra/temporal.sh stop, start: same database) at 60 %, unless skipped. A worker that exits on
 * its own (Temporal away too long) is started again and counted, as a process manager would.
 */
export class LaunchFaults {
  readonly injected: InjectedFault[] = [];
  exitedOnItsOwn = 0;
  temporalDown = false;
  private restarting = false;

  constructor(
    private readonly worker: ChildApp,
    private readonly restartTemporal: boolean,
    private readonly say: (line: string) => void,
    private readonly plan = { killAt: 0.25, temporalAt: 0.6 },
  ) {}

  get planned(): InjectedFault['kind'][] {
    return this.restartTemporal ? ['kill -9 worker', 'restart Temporal'] : ['kill -9 worker'];
  }

  /** Injects what is due at this much progress (0..1), waiting until it is repaired. */
  async onProgress(progress: number): Promise<void> {
    if (progress >= this.plan.killAt && !this.happened('kill -9 worker')) {
      const atMs = Date.now();
      this.say(`kill -9 the worker (pid ${this.worker.pid}) at ${percent(progress)} of the audience`);
      await this.worker.kill();
      await sleep(1_000);
      await this.worker.start();
      this.record('kill -9 worker', progress, atMs);
      this.say(`the worker is back (pid ${this.worker.pid}) after ${seconds(Date.now() - atMs)}`);
    } else if (this.restartTemporal && progress >= this.plan.temporalAt && !this.happened('restart Temporal')) {
      const atMs = Date.now();
      this.say(`restarting Temporal (infra/temporal.sh stop, start) at ${percent(progress)} of the audience`);
      this.temporalDown = true;
      await stackService('temporal', 'stop');
      await sleep(1_000);
      await stackService('temporal', 'start');
      this.temporalDown = false;
      await this.keepWorkerRunning();
      this.record('restart Temporal', progress, atMs);
      this.say(`Temporal is back after ${seconds(Date.now() - atMs)}`);
    }
  }

  /** Starts the worker again if it exited on its own; a start that fails (Temporal coming back) is tried next time. */
  async keepWorkerRunning(): Promise<void> {
    if (this.worker.running) return;
    if (!this.restarting) {
      this.exitedOnItsOwn += 1;
      this.restarting = true;
      this.say('the worker exited on its own: starting it again');
    }
    try {
      await this.worker.start();
      this.restarting = false;
    } catch (error) {
      this.say(`the worker could not start yet: ${(error as Error).message}`);
    }
  }

  /** Brings Temporal back if the drill stopped it and was interrupted before starting it again. */
  async repairTemporal(): Promise<void> {
    if (this.temporalDown) await stackService('temporal', 'start');
    this.temporalDown = false;
  }

  private happened(kind: InjectedFault['kind']): boolean {
    return this.injected.some((fault) => fault.kind === kind);
  }

  private record(kind: InjectedFault['kind'], progress: number, atMs: number): void {
    this.injected.push({ kind, atProgress: Math.round(progress * 1000) / 1000, atMs, repairedInMs: Date.now() - atMs });
  }
}

const percent = (fraction: number) => `${Math.round(fraction * 100)} %`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
