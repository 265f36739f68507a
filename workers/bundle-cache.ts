import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The project's code: where the workflows, and anything they could import, live. */
const ROOT = join(__dirname, '..');
/** Folders of the project that no workflow imports. */
const NOT_WORKFLOW_CODE = new Set(['node_modules', 'test', 'test-artifacts', 'tools', 'docs', 'infra', 'dist']);
const CODE_FILE = /\.(ts|js|mjs|cjs|json)$/;
/** Bundles kept: the newest few, so that switching branches back and forth needs no new bundle. */
const KEPT = 8;

/** Beside the local stack's logs (infra/), outside the project, so a fresh clone of the same code reuses it. */
const cacheDir = () => join(homedir(), '.cache', 'triggered-campaigns', 'workflow-bundles');

/**
 * The bundle of the code being run, built once per version of that code: the key hashes every code
 * file of the project (not only the workflows, so that no import can be missed), the Temporal SDK's
 * versions, the project's location and the variant. Any change to any of them builds a new bundle,
 * so a cached bundle can never be stale. A cache that cannot be written is skipped.
 */
export async function cachedBundle(
  variant: string,
  build: () => Promise<string>,
  where: { root: string; dir: string } = { root: ROOT, dir: cacheDir() },
): Promise<string> {
  const path = join(where.dir, `${bundleKey(variant, where.root)}.js`);
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // not built yet for this code
  }
  const code = await build();
  try {
    mkdirSync(where.dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, code);
    renameSync(partial, path);
    evictOld(where.dir);
  } catch {
    // a read-only home: every start bundles, as it would without a cache
  }
  return code;
}

function bundleKey(variant: string, root: string): string {
  const hash = createHash('sha256');
  hash.update(`${variant}\0${root}\0`);
  for (const name of ['@temporalio/workflow', '@temporalio/worker', '@temporalio/interceptors-opentelemetry'])
    hash.update(`${name}@${packageVersion(name)}\0`);
  for (const file of codeFiles(root, root)) hash.update(`${file}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 32);
}

function codeFiles(root: string, dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(dir === root && NOT_WORKFLOW_CODE.has(entry.name))) files.push(...codeFiles(root, path));
    } else if (CODE_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'absent';
  }
}

function evictOld(dir: string): void {
  const bundles = readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) => ({ path, mtimeMs: statSync(path).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { path } of bundles.slice(KEPT)) rmSync(path, { force: true });
}
