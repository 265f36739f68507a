import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TestAdmin } from '../support/admin';
import { requireServices } from '../support/services';
import { freePort } from '../support/ports';

interface Readiness {
  status: string;
  checks: Array<{ name: string; ok: boolean; status: string }>;
}

/** A TCP server that accepts every connection and never says a word: a database behind a black hole. */
async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const PASSWORD = 'readiness-secret-pw';
/** The documented bound of each dependency check (docs/ADMIN.md). */
const READINESS_TIMEOUT_MS = 2_000;

describe('/readyz with a dependency out of reach', () => {
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let refusing: number;
  let silent: TestAdmin;
  let refused: TestAdmin;
  let silentKafka: TestAdmin;
  let silentKafkaStopped = false;

  before(async () => {
    await requireServices(['temporal', 'kafka']);
    hole = await blackHole();
    refusing = await freePort();
    silent = new TestAdmin({ DATABASE_URL: `postgres://campaigns:${PASSWORD}@127.0.0.1:${hole.port}/campaigns` });
    refused = new TestAdmin({ DATABASE_URL: `postgres://campaigns:${PASSWORD}@127.0.0.1:${refusing}/campaigns` });
    silentKafka = new TestAdmin({ KAFKA_BROKERS: `127.0.0.1:${hole.port}` });
    await silent.start();
    await refused.start();
    await silentKafka.start();
  });
  after(async () => {
    await silent?.stop();
    await refused?.stop();
    if (!silentKafkaStopped) await silentKafka?.stop().catch(() => undefined);
    await hole?.close();
  });

  function assertNoDriverText(body: unknown, port: number): void {
    const text = JSON.stringify(body);
    for (const leak of [
      PASSWORD,
      String(port),
      'ECONNREFUSED',
      'timeout expired',
      'Connection terminated',
      'connect ',
    ]) {
      assert.ok(!text.includes(leak), `the body leaks "${leak}": ${text}`);
    }
  }

  it('answers 503 within its timeout when the database accepts and never answers, naming each dependency', async () => {
    const started = Date.now();
    const ready = await silent.request<Readiness>('GET', '/readyz', { token: null });
    const elapsedMs = Date.now() - started;
    console.log(`/readyz answered ${ready.status} after ${elapsedMs} ms (check timeout ${READINESS_TIMEOUT_MS} ms)`);
    assert.equal(ready.status, 503, JSON.stringify(ready.body));
    assert.deepEqual(ready.body, {
      status: 'not_ready',
      checks: [
        { name: 'temporal', ok: true, status: 'ok' },
        { name: 'postgres', ok: false, status: 'timeout' },
        { name: 'kafka', ok: true, status: 'ok' },
      ],
    });
    assert.ok(
      elapsedMs < READINESS_TIMEOUT_MS + 1_000,
      `/readyz took ${elapsedMs} ms, beyond its ${READINESS_TIMEOUT_MS} ms check timeout`,
    );
    assertNoDriverText(ready.body, hole.port);
  });

  it('bounds the Kafka check the same way when the broker accepts and never answers', async () => {
    const started = Date.now();
    const ready = await silentKafka.request<Readiness>('GET', '/readyz', { token: null });
    const elapsedMs = Date.now() - started;
    assert.equal(ready.status, 503, JSON.stringify(ready.body));
    assert.deepEqual(ready.body.checks, [
      { name: 'temporal', ok: true, status: 'ok' },
      { name: 'postgres', ok: true, status: 'ok' },
      { name: 'kafka', ok: false, status: 'timeout' },
    ]);
    assert.ok(
      elapsedMs < READINESS_TIMEOUT_MS + 1_000,
      `/readyz took ${elapsedMs} ms, beyond its ${READINESS_TIMEOUT_MS} ms check timeout`,
    );
  });

  it('stops promptly after a Kafka check that never got an answer: nothing waits on the silent broker', async () => {
    await silentKafka.request<Readiness>('GET', '/readyz', { token: null });
    const started = Date.now();
    await silentKafka.stop();
    const elapsedMs = Date.now() - started;
    silentKafkaStopped = true;
    assert.ok(
      elapsedMs < READINESS_TIMEOUT_MS + 3_000,
      `the admin API took ${elapsedMs} ms to stop, waiting on a broker that never answers`,
    );
  });

  it(
    'calls a refused connection "unreachable" and logs the driver\'s error server-side only, ' + 'without the password',
    async () => {
      const ready = await refused.request<Readiness>('GET', '/readyz', { token: null });
      assert.equal(ready.status, 503, JSON.stringify(ready.body));
      assert.deepEqual(
        ready.body.checks.find((check) => check.name === 'postgres'),
        { name: 'postgres', ok: false, status: 'unreachable' },
      );
      assertNoDriverText(ready.body, refusing);
      const logged = refused.logLines.find((line) => line.check === 'postgres');
      assert.ok(logged, `no log line names the failing check: ${JSON.stringify(refused.logLines.slice(-5))}`);
      assert.match(JSON.stringify(logged), /ECONNREFUSED/);
      assert.ok(!JSON.stringify(refused.logLines).includes(PASSWORD), 'the database password reached the log');
    },
  );
});
