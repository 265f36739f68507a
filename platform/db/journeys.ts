import type { Kysely } from 'kysely';
import type { Db } from './database';
import type { Assignment } from '../experiments/assignment';
import type { Database } from './schema';

/** The journey log: one row per journey instance, for re-entry rules and for operators. */

export interface JourneyKey {
  campaign: string;
  customerId: string;
  journeyId: string;
}

export type Refusal = 'duplicate_entry' | 'cooldown' | 'stale_event' | 'campaign_paused' | 'campaign_cancelled';
/** Admitted with the journey's group and variants (absent for journeys admitted before experiments). */
export type Admission = ({ admitted: true } & Partial<Assignment>) | { admitted: false; reason: Refusal };

export interface EntryRules {
  entryEventAtMs: number;
  /** The journey's clock at admission. */
  atMs: number;
  cooldownMs: number;
  /** An entry event older than this (by the journey's clock) is refused as stale; null: no limit. */
  maxEntryAgeMs: number | null;
  /**
   * The workflow run asking. The same run asking again (its workflow task failed after this
   * admission committed, and ran again) gets the first answer, not `duplicate_entry`.
   */
  runId?: string;
}

/**
 * Admits a journey instance unless it already ran or was already refused (a replayed entry event),
 * its campaign is paused or cancelled (new entries stop), its entry event is too old to act on or
 * older than the end of the previous journey (a late event), or the previous journey sent a message
 * within the cooldown. Every refusal is remembered, so that a replay of the topic later is refused too.
 * An admitted journey is recorded with its assignment (group and variants); asked again, it answers
 * with the assignment first recorded.
 */
export async function admitJourney(
  db: Db,
  key: JourneyKey,
  rules: EntryRules,
  assignment: Assignment = { group: 'treatment', variants: {} },
): Promise<Admission> {
  return db.transaction().execute(async (tx) => {
    const known = await journeyLogEntry(tx, key);
    const askedBefore = known !== null && rules.runId !== undefined && known.runId === rules.runId;
    if (known && 'endedAt' in known)
      return known.endedAt && !askedBefore
        ? { admitted: false, reason: 'duplicate_entry' }
        : { admitted: true, group: known.group, variants: known.variants };
    if (known) return { admitted: false, reason: askedBefore ? known.refusal : 'duplicate_entry' };

    const refuse = async (reason: Refusal): Promise<Admission> => {
      await tx
        .insertInto('journey_refusals')
        .values({
          campaign: key.campaign,
          customer_id: key.customerId,
          journey_id: key.journeyId,
          reason,
          entry_event_at: new Date(rules.entryEventAtMs),
          refused_by_run: rules.runId ?? null,
        })
        .onConflict((conflict) => conflict.columns(['campaign', 'customer_id', 'journey_id']).doNothing())
        .execute();
      return { admitted: false, reason };
    };

    const settings = await tx
      .selectFrom('campaign_settings')
      .select(['paused', 'cancelled_at'])
      .where('scope', '=', key.campaign)
      .executeTakeFirst();
    if (settings?.cancelled_at) return refuse('campaign_cancelled');
    if (settings?.paused) return refuse('campaign_paused');
    if (rules.maxEntryAgeMs !== null && rules.atMs - rules.entryEventAtMs > rules.maxEntryAgeMs)
      return refuse('stale_event');

    const previous = await tx
      .selectFrom('journeys')
      .select(['ended_at', 'last_message_at'])
      .where('campaign', '=', key.campaign)
      .where('customer_id', '=', key.customerId)
      .orderBy('entered_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (previous?.ended_at && rules.entryEventAtMs < previous.ended_at.getTime()) return refuse('stale_event');
    if (previous?.last_message_at && rules.atMs - previous.last_message_at.getTime() < rules.cooldownMs)
      return refuse('cooldown');

    await tx
      .insertInto('journeys')
      .values({
        campaign: key.campaign,
        customer_id: key.customerId,
        journey_id: key.journeyId,
        entry_event_at: new Date(rules.entryEventAtMs),
        entered_at: new Date(rules.atMs),
        ended_at: null,
        outcome: null,
        last_message_at: null,
        treatment_group: assignment.group,
        variants: JSON.stringify(assignment.variants),
        admitted_by_run: rules.runId ?? null,
      })
      .onConflict((conflict) => conflict.columns(['campaign', 'customer_id', 'journey_id']).doNothing())
      .execute();
    return { admitted: true, ...assignment };
  });
}

/** What the journey log holds of one journey instance: admitted (and whether it ended), refused, or nothing yet. */
async function journeyLogEntry(
  db: Kysely<Database>,
  key: JourneyKey,
): Promise<((({ endedAt: Date | null } & Assignment) | { refusal: Refusal }) & { runId: string | null }) | null> {
  const sameKey = { campaign: key.campaign, customer_id: key.customerId, journey_id: key.journeyId };
  const admitted = await db
    .selectFrom('journeys')
    .select(['ended_at', 'treatment_group', 'variants', 'admitted_by_run'])
    .where((eb) => eb.and(sameKey))
    .executeTakeFirst();
  if (admitted)
    return {
      endedAt: admitted.ended_at,
      group: admitted.treatment_group,
      variants: admitted.variants,
      runId: admitted.admitted_by_run,
    };
  const refused = await db
    .selectFrom('journey_refusals')
    .select(['reason', 'refused_by_run'])
    .where((eb) => eb.and(sameKey))
    .executeTakeFirst();
  return refused ? { refusal: refused.reason as Refusal, runId: refused.refused_by_run } : null;
}

/**
 * Whether a journey instance was admitted (it ran, or runs) or refused and why; null while its run
 * has not been through admission yet.
 */
export async function admissionOf(db: Db, key: JourneyKey): Promise<Admission | null> {
  const known = await journeyLogEntry(db, key);
  if (!known) return null;
  return 'endedAt' in known ? { admitted: true } : { admitted: false, reason: known.refusal };
}

/**
 * Records how a journey ended; a journey that already ended keeps its first end. True when this call
 * recorded the end (false: it had ended already, or was never admitted).
 */
export async function recordJourneyEnd(
  db: Db,
  key: JourneyKey,
  end: { outcome: string; atMs: number; messagesSent: number; lastMessageAtMs: number | null },
): Promise<boolean> {
  const result = await db
    .updateTable('journeys')
    .set({
      ended_at: new Date(end.atMs),
      outcome: end.outcome,
      messages_sent: end.messagesSent,
      last_message_at: end.lastMessageAtMs === null ? null : new Date(end.lastMessageAtMs),
    })
    .where('campaign', '=', key.campaign)
    .where('customer_id', '=', key.customerId)
    .where('journey_id', '=', key.journeyId)
    .where('ended_at', 'is', null) // a journey ends once: a later run of the same entry never rewrites it
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
