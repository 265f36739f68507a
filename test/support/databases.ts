import { sql } from 'kysely';
import { createDb, migrateToLatest } from '../../platform/db/database';
import { runId, stackEnv } from './services';

/**
 * A PostgreSQL database of its own on the local server, migrated, for a test whose state is
 * campaign-wide (a cancelled or paused campaign) and must not reach other tests.
 */
export async function throwawayDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${runId.replace(/[^a-z0-9]/g, '')}`;
  const url = new URL(stackEnv.database);
  url.pathname = `/${name}`;
  const main = createDb(stackEnv.database, 1);
  await sql.raw(`create database ${name}`).execute(main);
  const own = createDb(url.toString(), 1);
  await migrateToLatest(own);
  await own.destroy();
  return {
    url: url.toString(),
    async drop() {
      await sql.raw(`drop database if exists ${name} with (force)`).execute(main);
      await main.destroy();
    },
  };
}
