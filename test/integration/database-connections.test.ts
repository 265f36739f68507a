import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createDb, type Db } from '../../platform/db/database';
import { requireServices, sleep, stackEnv } from '../support/services';

/**
 * A PostgreSQL restart closes every pooled connection, idle ones included. The fuzzer's restart
 * fault found that this ended the worker and the bridge (node-postgres throws an idle client's
 * error when nobody listens); the pool must drop the connection and carry on.
 */
describe('pooled PostgreSQL connections closed by the server', () => {
  let db: Db;
  let killer: Db;
  const closed: Error[] = [];

  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 2, (error) => closed.push(error));
    killer = createDb(stackEnv.database, 1);
  });
  after(async () => {
    await db?.destroy();
    await killer?.destroy();
  });

  it('survives an idle connection terminated by the server, reports it, and answers the next query', async () => {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    const pid = rows[0]!.pid;
    // The connection is idle in the pool now; the server ends it as a restart would (57P01).
    await sql`select pg_terminate_backend(${pid})`.execute(killer);
    await sleep(300);
    assert.equal(closed.length, 1, 'the closed idle connection was reported once');
    assert.match(closed[0]!.message, /terminating connection/);
    const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
    assert.notEqual(again.rows[0]!.pid, pid, 'a new connection serves the next query');
  });

  it(
    'survives a connection terminated between the statements of a transaction: the transaction fails, ' +
      'the process does not',
    async () => {
      const before = closed.length;
      await assert.rejects(
        db.transaction().execute(async (tx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(killer);
          await sleep(300);
          await sql`select 1`.execute(tx);
        }),
      );
      assert.ok(closed.length > before, 'the closed connection was reported');
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(db);
      assert.equal(rows[0]!.one, 1, 'the pool serves the next query');
    },
  );
});
