import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cachedBundle } from '../../../workers/bundle-cache';

describe('the workflow bundle cache', () => {
  const base = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
  const root = join(base, 'project');
  const dir = join(base, 'cache');
  mkdirSync(join(root, 'workflows'), { recursive: true });
  mkdirSync(join(root, 'test'), { recursive: true });
  after(() => rmSync(base, { recursive: true, force: true }));

  let builds = 0;
  const bundle = (variant = 'untraced') =>
    cachedBundle(
      variant,
      () => {
        builds += 1;
        return Promise.resolve(`bundle ${builds}`);
      },
      { root, dir },
    );

  it('builds once per version of the code and variant; any change to a code file builds again', async () => {
    writeFileSync(join(root, 'workflows', 'cart.ts'), 'export const step = 1;');
    assert.equal(await bundle(), 'bundle 1');
    assert.equal(await bundle(), 'bundle 1', 'the same code: the kept bundle');
    assert.equal(await bundle('traced'), 'bundle 2', 'another variant: its own bundle');

    writeFileSync(join(root, 'workflows', 'cart.ts'), 'export const step = 2;');
    assert.equal(await bundle(), 'bundle 3', 'a changed workflow file: a new bundle');
    writeFileSync(join(root, 'workflows', 'new.ts'), 'export {};');
    assert.equal(await bundle(), 'bundle 4', 'a new file: a new bundle');

    writeFileSync(join(root, 'test', 'cart.test.ts'), 'it();');
    writeFileSync(join(root, 'workflows', 'notes.md'), 'words');
    assert.equal(await bundle(), 'bundle 4', 'tests and prose are not in the bundle: the kept one');
  });

  it('keeps the newest eight bundles', async () => {
    for (let n = 0; n < 12; n += 1) {
      writeFileSync(join(root, 'workflows', 'cart.ts'), `export const step = ${100 + n};`);
      await bundle();
    }
    assert.equal(readdirSync(dir).length, 8);
  });
});
