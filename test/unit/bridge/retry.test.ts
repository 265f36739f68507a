import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, retryUntilDone, StoppedWhileRetrying } from '../../../bridge/retry';

describe('retry until done', () => {
  it('backs off exponentially with jitter between half and all of the ceiling, capped', () => {
    assert.equal(
      backoffDelay(1, 200, 15_000, () => 0),
      100,
    );
    assert.equal(
      backoffDelay(1, 200, 15_000, () => 1),
      200,
    );
    assert.equal(
      backoffDelay(4, 200, 15_000, () => 1),
      1600,
    );
    assert.equal(
      backoffDelay(30, 200, 15_000, () => 1),
      15_000,
    );
  });

  it('retries a failing dependency until it answers, heartbeating between attempts', async () => {
    let calls = 0;
    let heartbeats = 0;
    const delays: number[] = [];
    const result = await retryUntilDone(
      () => {
        calls += 1;
        return calls < 4 ? Promise.reject(new Error('temporal unavailable')) : Promise.resolve('acknowledged');
      },
      {
        initialDelayMs: 10,
        maxDelayMs: 100,
        isStopping: () => false,
        beforeAttempt: () => {
          heartbeats += 1;
          return Promise.resolve();
        },
        onRetry: (_error, _attempt, delayMs) => delays.push(delayMs),
        sleep: () => Promise.resolve(),
        random: () => 1,
      },
    );
    assert.equal(result, 'acknowledged');
    assert.equal(calls, 4);
    assert.equal(heartbeats, 3);
    assert.deepEqual(delays, [10, 20, 40]);
  });

  it('gives the message back unacknowledged when the process is stopping', async () => {
    await assert.rejects(
      retryUntilDone(() => Promise.reject(new Error('down')), {
        initialDelayMs: 10,
        maxDelayMs: 100,
        isStopping: () => true,
        beforeAttempt: () => Promise.resolve(),
        onRetry: () => undefined,
      }),
      StoppedWhileRetrying,
    );
  });
});
