import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChaosOptions } from '../../../tools/chaos/options';
import { OptionsError } from '../../../tools/cli-options';
import { parseFuzzOptions } from '../../../tools/fuzz/options';
import { FAULT_GROUPS } from '../../../tools/fuzz/scenario';

describe("the load tools' command lines", () => {
  it('read kebab-case flags into typed options, with defaults for the rest', () => {
    const chaos = parseChaosOptions(['--customers', '30', '--seed', '7', '--max-minutes', '8']);
    assert.deepEqual(chaos, { customers: 30, seed: 7, maxMinutes: 8, json: 'test-artifacts/chaos/latest.json' });
    const fuzz = parseFuzzOptions(['--customers', '100', '--faults', 'providers', '--only', '3,65']);
    assert.deepEqual(
      [fuzz.customers, fuzz.only, fuzz.faultsText, fuzz.faults.length],
      [100, [3, 65], 'providers', FAULT_GROUPS.providers.length],
    );
  });

  it('name the flag in every error and end with the usage', () => {
    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        assert.ok(error instanceof OptionsError);
        return error.message;
      }
      assert.fail('expected an OptionsError');
    };
    assert.match(
      refused(() => parseChaosOptions(['--customers', '3'])),
      /--customers: at least 6 \(one per story\)/,
    );
    assert.match(
      refused(() => parseChaosOptions(['--colour', 'red'])),
      /Unknown option '--colour'[\s\S]*usage: npm run chaos/,
    );
    assert.match(
      refused(() => parseFuzzOptions(['--max-minutes', 'soon'])),
      /--max-minutes: expected a number of minutes/,
    );
    assert.match(
      refused(() => parseFuzzOptions(['--faults', 'bogus'])),
      /--faults: "bogus" is not a group/,
    );
    assert.match(
      refused(() => parseFuzzOptions(['--customers', '10', '--only', '65'])),
      /--only: every index must be under/,
    );
  });
});
