import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export const PROMETHEUS_DIR = join(__dirname, '../../infra/prometheus');
const INSTALL_HINT =
  'Install it with `bash infra/prometheus.sh install` (Debian: apt-get install --no-install-recommends prometheus, ' +
  'which ships promtool too), or run `npm test`, which does.';

/** Fails at once, never skips, when a Prometheus binary is not on the PATH. */
export function requireBinary(name: 'prometheus' | 'promtool'): void {
  const found = spawnSync(name, ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) throw new Error(`${name} is not installed. ${INSTALL_HINT}`);
}

/** Runs promtool; its exit status and everything it printed. */
export function promtool(args: string[], cwd = PROMETHEUS_DIR): { status: number | null; output: string } {
  requireBinary('promtool');
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

export interface ScrapeJob {
  job: string;
  /** `host:port` addresses on 127.0.0.1. */
  targets: string[];
  metricsPath?: string;
  bearerToken?: string;
}

/** A Prometheus config scraping `jobs` every second; a job with a token reads it from a file next to it. */
function scrapeConfig(jobs: ScrapeJob[], dir: string): string {
  const lines = ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:'];
  for (const job of jobs) {
    lines.push(`  - job_name: ${JSON.stringify(job.job)}`);
    if (job.metricsPath) lines.push(`    metrics_path: ${JSON.stringify(job.metricsPath)}`);
    if (job.bearerToken !== undefined) {
      const tokenFile = join(dir, `${job.job}.token`);
      writeFileSync(tokenFile, job.bearerToken, { mode: 0o600 });
      lines.push('    authorization:', `      credentials_file: ${JSON.stringify(tokenFile)}`);
    }
    lines.push('    static_configs:', `      - targets: ${JSON.stringify(job.targets)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A throwaway Prometheus on a free 127.0.0.1 port with its own storage, scraping the given jobs every
 * second. `scrape` replaces the jobs (for targets that start later) and reloads the config.
 */
export class TestPrometheus {
  url = '';
  private process: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'it-prometheus-'));
  private log = '';

  async start(jobs: ScrapeJob[]): Promise<void> {
    requireBinary('prometheus');
    writeFileSync(join(this.dir, 'prometheus.yml'), scrapeConfig(jobs, this.dir));
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.process = spawn(
      'prometheus',
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        '--web.enable-lifecycle',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.process.stderr!.on('data', (chunk: Buffer) => {
      this.log = `${this.log}${chunk.toString()}`.slice(-4000);
    });
    await this.waitUntil('/-/ready', 20_000);
  }

  async scrape(jobs: ScrapeJob[]): Promise<void> {
    writeFileSync(join(this.dir, 'prometheus.yml'), scrapeConfig(jobs, this.dir));
    const reload = await fetch(`${this.url}/-/reload`, { method: 'POST' });
    if (!reload.ok) throw new Error(`Prometheus refused the new config: ${await reload.text()}`);
  }

  /** The series an instant PromQL query returns (an error for a query Prometheus rejects). */
  async query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    const response = await fetch(`${this.url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`Prometheus rejected ${expr}: ${body.error}`);
    return body.data!.resultType === 'vector' ? body.data!.result : [];
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntil(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.process?.exitCode !== null) throw new Error(`Prometheus exited: ${this.log}`);
      const ok = await fetch(`${this.url}${path}`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`Prometheus was not ready in ${timeoutMs} ms: ${this.log}`);
  }
}
