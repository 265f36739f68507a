import { execFileSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The last commit before issue 20 (coalescing, concurrency within partitions, local-first sends). */
export const BEFORE_ISSUE_20 = '06ad009';

/**
 * A checkout of an earlier revision beside this one (a git worktree sharing this checkout's
 * node_modules), so that its bridge and worker can be measured in the same run as today's code.
 */
export function checkoutOf(revision: string): string {
  const root = resolve(__dirname, '..', '..');
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', `${revision}^{commit}`], {
    encoding: 'utf8',
  }).trim();
  const dir = join(tmpdir(), `campaigns-bench-code-${commit}`);
  if (!existsSync(join(dir, 'package.json'))) {
    execFileSync('git', ['-C', root, 'worktree', 'add', '--force', '--detach', dir, commit], { stdio: 'ignore' });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
