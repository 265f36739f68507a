import { sql, type Kysely } from 'kysely';

/**
 * A send the provider provably did not take is kept as `retrying` (with its attempt count) instead
 * of being deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table deliveries drop constraint if exists deliveries_state_check`.execute(db);
  await sql
    .raw(
      'alter table deliveries add constraint deliveries_state_check ' +
        "check (state in ('sending', 'retrying', 'sent', 'skipped', 'failed', 'unknown'))",
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from deliveries where state = 'retrying'`.execute(db);
  await sql`alter table deliveries drop constraint if exists deliveries_state_check`.execute(db);
  await sql
    .raw(
      'alter table deliveries add constraint deliveries_state_check ' +
        "check (state in ('sending', 'sent', 'skipped', 'failed', 'unknown'))",
    )
    .execute(db);
}
