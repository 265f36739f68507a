import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { cachedBundle } from './bundle-cache';

const run = promisify(execFile);

/**
 * Bundles the workflow code in a short-lived child process. Bundling with webpack inside the worker
 * would leave its memory (over 100 MB) in the worker for good; the child hands back the code and
 * exits. The bundle is always built from the code being run, so it can never be stale, and kept for
 * the next start of the same code (workers/bundle-cache.ts): a restarted worker polls seconds sooner.
 * With `tracing`, the workflows carry Temporal's OpenTelemetry interceptors.
 */
export function bundleWorkflowsInChild(options: { tracing: boolean }): Promise<string> {
  return cachedBundle(options.tracing ? 'traced' : 'untraced', () => bundleInChild(options));
}

async function bundleInChild(options: { tracing: boolean }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'campaign-workflows-'));
  const out = join(dir, 'workflows.js');
  try {
    await run(
      process.execPath,
      [
        ...process.execArgv,
        join(__dirname, `bundle-workflows-main${extname(__filename)}`),
        out,
        ...(options.tracing ? ['--tracing'] : []),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: Error & { stderr?: string }) => {
      throw new Error(`bundling the workflows failed: ${error.stderr?.trim() || error.message}`);
    });
    return readFileSync(out, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
