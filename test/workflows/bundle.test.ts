import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundleWorkflowsInChild } from '../../workers/bundle-workflows';

/** The module ids webpack wrote into the bundle, one per line ("./workflows/index.ts", "./node_modules/zod/…"). */
function modulesOf(code: string): string[] {
  return [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"$/gm)].map((match) => match[1]!);
}

// The worker evaluates the workflow modules afresh for every journey it creates (Temporal's reusable
// V8 context keeps module state per workflow). Building the campaigns' zod schemas there cost about a
// third of the workflow thread's CPU under load (docs/PERFORMANCE.md): the workflows take what they
// need from zod-free modules (contract/campaigns/steps.ts).
test('the workflow bundle carries no zod: no journey builds validation schemas when it starts', async () => {
  for (const tracing of [false, true]) {
    const modules = modulesOf(await bundleWorkflowsInChild({ tracing }));
    assert.ok(modules.includes('./workflows/index.ts'), `the bundle's modules were not found: ${modules.length}`);
    const zod = modules.filter((id) => id.includes('/node_modules/zod/'));
    assert.deepEqual(zod, [], `the ${tracing ? 'traced' : 'untraced'} bundle has zod modules`);
  }
});
