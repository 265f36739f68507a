import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { migrations } from './migrations';
import type { Database } from './schema';

export type Db = Kysely<Database>;

/**
 * `onIdleConnectionError` hears of a pooled connection the server closed while it was idle (a
 * PostgreSQL restart, an administrator's terminate): the pool drops it and opens another when
 * needed. Without a listener, node-postgres would throw the error and end the process.
 */
export function createDb(databaseUrl: string, poolSize = 10, onIdleConnectionError: (error: Error) => void = () => undefined): Db {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize, connectionTimeoutMillis: 5000 });
  pool.on('error', onIdleConnectionError);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Applies pending migrations; safe to run concurrently (Kysely takes an advisory lock). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error(`Database migration failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`, { cause: error });
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
