import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { CAMPAIGN_TYPES } from '../../contract/campaigns';
import { installRuntimeOnce } from '../support/runtime';
import { workerTracingOptions } from '../../platform/tracing/temporal';
import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { bundleWorkflowsInChild } from '../../workers/bundle-workflows';

/**
 * Histories recorded from real runs of each journey (test/workflows/record-histories.ts), replayed against
 * the current workflow code. A change that would break journeys already running in production —
 * a new activity call, a reordered timer — fails here; guard such changes with patched(). Each replays
 * as a worker runs it untraced, and with Temporal's OpenTelemetry interceptors (spans go nowhere).
 */
const fixtures = join(__dirname, '..', 'fixtures', 'histories');
const histories = readdirSync(fixtures)
  .filter((file) => file.endsWith('.json'))
  .sort();

describe('replaying recorded journey histories', () => {
  it('has a recorded history for every journey', () => {
    for (const campaign of CAMPAIGN_TYPES) {
      assert.ok(
        histories.some((file) => file.startsWith(campaign)),
        `no recorded history for ${campaign}`,
      );
    }
  });

  /** The bundles a worker runs: untraced by default, with the OpenTelemetry interceptors when tracing. */
  const bundles = {
    untraced: bundleWorkflowsInChild({ tracing: false }).then((code) => ({ code })),
    traced: bundleWorkflowsInChild({ tracing: true }).then((code) => ({ code })),
  };
  const tracedSinks = workerTracingOptions({
    enabled: true,
    spanProcessor: new NoopSpanProcessor(),
    resource: Resource.empty(),
    flush: () => Promise.resolve(),
  }).sinks;

  for (const file of histories) {
    it(`replays ${file} deterministically, untraced and traced`, async () => {
      await installRuntimeOnce();
      const history = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as unknown;
      const workflowId = file.replace(/\.json$/, '');
      await Worker.runReplayHistory({ workflowBundle: await bundles.untraced }, history, workflowId);
      await Worker.runReplayHistory({ workflowBundle: await bundles.traced, sinks: tracedSinks }, history, workflowId);
    });
  }
});
