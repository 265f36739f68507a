import type { Kysely } from 'kysely';

/**
 * The workflow run that admitted or refused each journey: asked again by that same run (a workflow
 * task that failed after its admission had committed, and ran again), admission answers as it did
 * the first time instead of taking the run's own journey for a replayed one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('journeys').addColumn('admitted_by_run', 'text').execute();
  await db.schema.alterTable('journey_refusals').addColumn('refused_by_run', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('journey_refusals').dropColumn('refused_by_run').execute();
  await db.schema.alterTable('journeys').dropColumn('admitted_by_run').execute();
}
