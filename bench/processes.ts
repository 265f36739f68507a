import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const CLOCK_TICKS_PER_SECOND = 100;

export interface Usage { rssMb: number; cpuSeconds: number }

/** Resident memory (MB) and CPU time used so far (seconds) of a process, from /proc. */
export function usageOf(pid: number): Usage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
}

/** The stack's own processes (started by infra/), by the pid files infra/ writes. */
export function stackPid(name: 'temporal' | 'kafka' | 'mailpit'): number | null {
  try {
    const home = process.env.CAMPAIGNS_HOME ?? join(homedir(), '.cache', 'triggered-campaigns');
    return Number(readFileSync(join(home, 'run', `${name}.pid`), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** One of the project's entrypoints as a child process, ready once it logs `readyWhen`. */
export class AppProcess {
  private child: ChildProcess | null = null;
  private output = '';

  constructor(private readonly entrypoint: 'worker' | 'bridge', private readonly name: string, private readonly env: Record<string, string>, private readonly logDir: string) {}

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  /** Starts the process and waits until it logs `readyWhen`. */
  async start(readyWhen: string, timeoutMs = 60_000): Promise<void> {
    this.output = '';
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, ['--import', 'tsx', `entrypoints/${this.entrypoint}.ts`], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', METRICS_PORT: '0', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => { this.output = (this.output + chunk.toString()).slice(-20_000); log.write(chunk); };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(readyWhen)) {
      if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}:\n${this.output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log "${readyWhen}" within ${timeoutMs / 1000}s:\n${this.output.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  usage(): Usage {
    return usageOf(this.pid);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
}
