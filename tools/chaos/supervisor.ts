import { ChildApp, type Role } from './processes';

export const ROLES: Role[] = ['worker', 'bridge'];

/**
 * Two workers and two bridges as separate processes on the run's task queue and consumer group.
 * A process that exits on its own (say, the broker stayed away longer than kafkajs retries) is
 * restarted and counted, as a process manager would.
 */
export class Supervisor {
  readonly processes: Record<Role, ChildApp[]>;
  readonly exitedOnTheirOwn: Record<Role, number> = { worker: 0, bridge: 0 };
  /** Killed by a fault and kept down for its pause. */
  private readonly heldDown = new Set<ChildApp>();
  /** Down and being brought back, already counted. */
  private readonly pending = new Set<ChildApp>();

  constructor(
    env: Record<string, string>,
    logDir: string,
    private readonly say: (line: string) => void,
  ) {
    this.processes = {
      worker: [1, 2].map((n) => new ChildApp('worker', `worker-${n}`, env, logDir)),
      bridge: [1, 2].map((n) => new ChildApp('bridge', `bridge-${n}`, env, logDir)),
    };
  }

  private get all(): ChildApp[] {
    return [...this.processes.worker, ...this.processes.bridge];
  }

  async startAll(): Promise<void> {
    for (const app of this.all) await app.start();
  }

  /** `kill -9` one process; it stays down until `restart` brings it back. */
  async kill(role: Role, index: number): Promise<void> {
    const app = this.processes[role][index]!;
    this.heldDown.add(app);
    await app.kill();
  }

  async restart(role: Role, index: number): Promise<void> {
    const app = this.processes[role][index]!;
    this.heldDown.delete(app);
    this.pending.add(app);
    await this.keepRunning();
  }

  /** Restarts whatever is down (but held down); a start that fails (the stack still coming back) is tried next time. */
  async keepRunning(): Promise<void> {
    for (const app of this.all) {
      if (app.running || this.heldDown.has(app)) continue;
      if (!this.pending.has(app)) {
        this.exitedOnTheirOwn[app.role] += 1;
        this.pending.add(app);
        this.say(`${app.name} exited on its own: restarting it`);
      }
      try {
        await app.start();
        this.pending.delete(app);
      } catch (error) {
        this.say(`${app.name} could not start yet: ${(error as Error).message}`);
      }
    }
  }

  get allRunning(): boolean {
    return this.all.every((app) => app.running);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all.map((app) => app.stop()));
  }

  killAllNow(): void {
    for (const app of this.all) app.killNow();
  }
}
