import { sql } from 'kysely';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';

export interface ThrowawayDatabase {
  url: string;
  name: string;
  db: Db;
  drop(): Promise<void>;
}

/**
 * A database of the drill's own on the local PostgreSQL server, migrated: a campaign cancel is
 * campaign-wide, so it must never reach the shared database. `drop()` removes it, connections and all.
 */
export async function createThrowawayDatabase(serverUrl: string, name: string): Promise<ThrowawayDatabase> {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a safe database name: ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const server = createDb(serverUrl, 1);
  try {
    await sql.raw(`create database ${name}`).execute(server);
  } finally {
    await server.destroy();
  }
  const db = createDb(url.toString(), 4);
  await migrateToLatest(db);
  return {
    url: url.toString(),
    name,
    db,
    async drop() {
      await db.destroy().catch(() => undefined);
      const again = createDb(serverUrl, 1);
      try {
        await sql.raw(`drop database if exists ${name} with (force)`).execute(again);
      } finally {
        await again.destroy();
      }
    },
  };
}
