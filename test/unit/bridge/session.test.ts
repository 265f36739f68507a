import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retryUntilDone } from '../../../bridge/retry';
import { bridgeConfigSchema, loadConfig } from '../../../platform/config';

describe("the bridge's consumer-group session", () => {
  it('defaults to a 10 s session with a 3 s heartbeat, both configurable', () => {
    const defaults = loadConfig(bridgeConfigSchema, {});
    assert.equal(defaults.KAFKA_SESSION_TIMEOUT, 6_000);
    assert.equal(defaults.KAFKA_HEARTBEAT_INTERVAL, 1_000);
    const tuned = loadConfig(bridgeConfigSchema, { KAFKA_SESSION_TIMEOUT: '45s', KAFKA_HEARTBEAT_INTERVAL: '5s' });
    assert.deepEqual([tuned.KAFKA_SESSION_TIMEOUT, tuned.KAFKA_HEARTBEAT_INTERVAL], [45_000, 5_000]);
  });

  it('refuses a heartbeat slower than a third of the session, and a session the broker would refuse', () => {
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { KAFKA_SESSION_TIMEOUT: '10s', KAFKA_HEARTBEAT_INTERVAL: '4s' }),
      /KAFKA_HEARTBEAT_INTERVAL: must be at most a third of KAFKA_SESSION_TIMEOUT/,
    );
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { KAFKA_SESSION_TIMEOUT: '2s', KAFKA_HEARTBEAT_INTERVAL: '500ms' }),
      /KAFKA_SESSION_TIMEOUT: "2s" is shorter than the minimum of 6s/,
    );
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { KAFKA_SESSION_TIMEOUT: 'soon' }),
      /KAFKA_SESSION_TIMEOUT: "soon" is not a duration/,
    );
  });

  it('keeps heartbeating while it waits out a long backoff, so a held partition outlives the session', async () => {
    const clock = { now: 0 };
    const heartbeatsAt: number[] = [];
    let calls = 0;
    await retryUntilDone(
      () => {
        calls += 1;
        return calls < 3 ? Promise.reject(new Error('temporal unavailable')) : Promise.resolve();
      },
      {
        initialDelayMs: 15_000,
        maxDelayMs: 15_000,
        heartbeatIntervalMs: 3_000,
        isStopping: () => false,
        beforeAttempt: () => {
          heartbeatsAt.push(clock.now);
          return Promise.resolve();
        },
        onRetry: () => undefined,
        sleep: (ms) => {
          clock.now += ms;
          return Promise.resolve();
        },
        random: () => 1,
      },
    );
    assert.equal(clock.now, 30_000);
    const gaps = heartbeatsAt.map((at, index) => at - (heartbeatsAt[index - 1] ?? 0));
    assert.ok(
      gaps.every((gap) => gap <= 3_000),
      `heartbeats at ${heartbeatsAt.join(', ')} ms: a gap is longer than the 3 s interval`,
    );
    assert.equal(heartbeatsAt.at(-1), 30_000, 'the last heartbeat comes right before the next attempt');
  });
});

describe('heartbeats while an attempt hangs', () => {
  it(
    'keeps heartbeating during one slow call to a dependency (a Temporal client retries for ~20 s)',
    { timeout: 10_000 },
    async () => {
      let heartbeats = 0;
      const result = await retryUntilDone(
        () =>
          new Promise<string>((resolve) => {
            const poll = setInterval(() => {
              if (heartbeats >= 3) {
                clearInterval(poll);
                resolve('acknowledged');
              }
            }, 5).unref();
          }),
        {
          initialDelayMs: 10,
          maxDelayMs: 100,
          heartbeatIntervalMs: 20,
          isStopping: () => false,
          beforeAttempt: () => {
            heartbeats += 1;
            return Promise.resolve();
          },
          onRetry: () => undefined,
        },
      );
      assert.equal(result, 'acknowledged', 'the attempt finished only because the group was kept informed meanwhile');
    },
  );

  it(
    'gives the message back when a heartbeat meanwhile says the group is rebalancing',
    { timeout: 10_000 },
    async () => {
      const rebalancing = new Error('The group is rebalancing, so a rejoin is needed');
      await assert.rejects(
        retryUntilDone(
          () => new Promise<void>((_, reject) => setTimeout(() => reject(new Error('temporal unavailable')), 100)),
          {
            initialDelayMs: 10,
            maxDelayMs: 100,
            heartbeatIntervalMs: 20,
            isStopping: () => false,
            beforeAttempt: () => Promise.reject(rebalancing),
            onRetry: () => assert.fail('no backoff once the partition may belong to another bridge'),
          },
        ),
        rebalancing,
      );
    },
  );
});
