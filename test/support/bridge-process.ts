import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './services';

/**
 * The bridge as a real separate process (bridge/main.ts), so tests can kill it with -9 or
 * run two of them in one consumer group. Its log goes to test-artifacts/.
 */
export class BridgeProcess {
  private child: ChildProcess | null = null;
  private output = '';
  metricsUrl: string | null = null;

  constructor(
    private readonly name: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    const dir = join(__dirname, '..', '..', 'test-artifacts');
    mkdirSync(dir, { recursive: true });
    const log = createWriteStream(join(dir, `bridge-${this.name}.log`), { flags: 'a' });
    this.output = '';
    this.metricsUrl = null;
    const child = spawn(process.execPath, ['--import', 'tsx', 'bridge/main.ts'], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...this.env, LOG_LEVEL: 'info', METRICS_PORT: '0', WORKER_METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString();
      log.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    await eventually(
      `bridge ${this.name} to start consuming`,
      () => Promise.resolve(this.output),
      (text) => {
        if (child.exitCode !== null)
          throw new Error(`bridge ${this.name} exited with ${child.exitCode}:\n${text.slice(-2000)}`);
        return text.includes('bridge consuming');
      },
      60_000,
    );
    const line = this.output.split('\n').find((entry) => entry.includes('bridge consuming'))!;
    this.metricsUrl = (JSON.parse(line) as { metrics: string }).metrics;
  }

  /** Sends a signal and waits for the process to exit; returns its exit code (null when killed). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }

  /** One value from the bridge's Prometheus metrics, summed over label sets. */
  async metric(name: string): Promise<number> {
    const text = await (await fetch(this.metricsUrl!)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }
}
