import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import { admitJourney, recordJourneyEnd } from '../../platform/db/journeys';
import { requireServices, runId, stackEnv } from '../support/services';

/**
 * Admission asked twice by the same workflow run: Temporal runs a workflow task again when the
 * server refused its completion (a signal arrived as the journey completed: UnhandledCommand), and
 * the local activities of that task run again. The journey the first attempt admitted and ended is
 * the run's own, not a replayed entry.
 */
describe('journey admission asked again by the same run', () => {
  let db: Db;
  const key = (name: string) => ({
    campaign: 'cart-abandonment',
    customerId: `${name}-${runId}`,
    journeyId: `e-${name}`,
  });
  const rules = (runIdOfWorkflow: string, overrides: { cooldownMs?: number } = {}) => ({
    entryEventAtMs: Date.now() - 1_000,
    atMs: Date.now(),
    cooldownMs: overrides.cooldownMs ?? 0,
    maxEntryAgeMs: null,
    runId: runIdOfWorkflow,
  });

  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 2);
    await migrateToLatest(db);
  });
  after(async () => {
    await db?.destroy();
  });

  it('answers the run that admitted and ended the journey as before, and a replay as duplicate_entry', async () => {
    const journey = key('ended');
    assert.deepEqual(await admitJourney(db, journey, rules('run-1'), { group: 'holdout', variants: {} }), {
      admitted: true,
      group: 'holdout',
      variants: {},
    });
    await recordJourneyEnd(db, journey, {
      outcome: 'converted',
      atMs: Date.now(),
      messagesSent: 0,
      lastMessageAtMs: null,
    });

    assert.deepEqual(await admitJourney(db, journey, rules('run-1')), {
      admitted: true,
      group: 'holdout',
      variants: {},
    });
    assert.deepEqual(await admitJourney(db, journey, rules('run-2')), { admitted: false, reason: 'duplicate_entry' });
    const row = await db
      .selectFrom('journeys')
      .select(['outcome', 'admitted_by_run'])
      .where('customer_id', '=', journey.customerId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { outcome: 'converted', admitted_by_run: 'run-1' }, 'the first end stands');
  });

  it('answers the run that was refused with its own reason, and a replay as duplicate_entry', async () => {
    const first = key('cooled');
    await admitJourney(db, first, rules('run-a'));
    // Ended before the next entry event, with its last message inside the cooldown.
    const endedAt = Date.now() - 5_000;
    await recordJourneyEnd(db, first, {
      outcome: 'completed',
      atMs: endedAt,
      messagesSent: 1,
      lastMessageAtMs: endedAt,
    });
    const second = { ...first, journeyId: 'e-cooled-again' };
    const cooldown = { cooldownMs: 60_000 };
    assert.deepEqual(await admitJourney(db, second, rules('run-b', cooldown)), { admitted: false, reason: 'cooldown' });
    assert.deepEqual(await admitJourney(db, second, rules('run-b', cooldown)), { admitted: false, reason: 'cooldown' });
    assert.deepEqual(await admitJourney(db, second, rules('run-c', cooldown)), {
      admitted: false,
      reason: 'duplicate_entry',
    });
  });
});
