import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { CAMPAIGN_TYPES } from '../../contract/campaigns';
import { installRuntimeOnce } from '../support/runtime';
import { workerTracingOptions, workflowTracingInterceptorsModule } from '../../platform/tracing/temporal';
import { installTracing } from '../../platform/tracing/tracing';

/**
 * Histories recorded from real runs of each journey (test/workflows/record-histories.ts), replayed against
 * the current workflow code. A change that would break journeys already running in production —
 * a new activity call, a reordered timer — fails here; guard such changes with patched(). They replay
 * with the tracing interceptors the worker runs with (tracing itself off: no span leaves the test).
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

  for (const file of histories) {
    it(`replays ${file} deterministically`, async () => {
      await installRuntimeOnce();
      const history = JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as unknown;
      await Worker.runReplayHistory(
        {
          workflowsPath: require.resolve('../../workflows'),
          interceptors: { workflowModules: [workflowTracingInterceptorsModule] },
          sinks: workerTracingOptions(installTracing({ TRACES_SAMPLE_RATIO: 1 }, 'replay')).sinks,
        },
        history,
        file.replace(/\.json$/, ''),
      );
    });
  }
});
