import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { migrations } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

/**
 * `onConnectionClosed` hears of a connection the server closed (a PostgreSQL restart, an
 * administrator's terminate) while it sat in the pool or between the statements of a transaction:
 * the pool drops it and opens another when needed, and the statement that needed it fails and is
 * retried by its caller. Without listeners, node-postgres would throw the error and end the process.
 */
export function createDb(
  databaseUrl: string,
  poolSize = 10,
  onConnectionClosed: (error: Error) => void = () => undefined,
): Db {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000 });
  pool.on('connect', (client) => {
    client.on('error', onConnectionClosed);
  });
  // The pool repeats an idle connection's error, already reported by the connection's own listener.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Applies pending migrations; safe to run concurrently (Kysely takes an advisory lock). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error)
    throw new Error(`Database migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, {
      cause: error,
    });
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
