import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export type Role = 'worker' | 'bridge';

const READY: Record<Role, string> = { worker: 'worker polling', bridge: 'bridge consuming' };
const ENTRYPOINT: Record<Role, string> = { worker: 'workers/main.ts', bridge: 'bridge/main.ts' };

/**
 * One process (`node --import tsx workers/main.ts` or `bridge/main.ts`) as a child process, its output
 * appended to `<logDir>/<name>.log`. It can be started again after it died or was killed.
 */
export class ChildApp {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(
    readonly role: Role,
    readonly name: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    /** The checkout whose code runs: this one, or another revision's (the benchmark's "before"). */
    private readonly root: string = ROOT,
    /** Node's own options, before the entry point (the benchmark's `--cpu-prof`). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get pid(): number {
    if (!this.child?.pid || !this.running) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process and resolves once it says it is ready. */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.running) return;
    this.output = '';
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [...this.nodeArgs, '--import', 'tsx', ENTRYPOINT[this.role]], {
      cwd: this.root,
      env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0', WORKER_METRICS_PORT: '0', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
      log.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', () => log.end());
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(READY[this.role])) {
      if (!this.running)
        throw new Error(
          `${this.name} exited (${child.exitCode ?? child.signalCode}) before it was ready: ${lastLine(this.output)}`,
        );
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${this.name} was not ready within ${timeoutMs / 1000} s: ${lastLine(this.output)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** `kill -9`, as a crash would; resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 0);
  }

  /** SIGTERM (the process drains), then SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    await this.signal('SIGTERM', graceMs);
  }

  /** Synchronous last resort when the run itself is exiting. */
  killNow(): void {
    if (this.running) this.child?.kill('SIGKILL');
  }

  private async signal(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = graceMs > 0 ? setTimeout(() => child.kill('SIGKILL'), graceMs) : null;
    await exited;
    if (timer) clearTimeout(timer);
  }
}

function lastLine(output: string): string {
  return output.trim().split('\n').pop()?.slice(0, 400) ?? '';
}
