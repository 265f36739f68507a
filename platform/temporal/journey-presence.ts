import type { CampaignType } from '../../contract/campaigns';
import type { Db } from '../db/database';
import {
  findPresence,
  forgetPresence,
  markPossiblyRunning,
  presenceBackfilled,
  recordPresenceBackfilled,
  type PresenceRow,
} from '../db/journey-presence';
import type { JourneyFilter, JourneySummary } from './journeys';

/**
 * Whether a customer's journey of a campaign may be running, known without asking Temporal, so that
 * an event which only signals a running journey (an order to a browse journey) costs no call when
 * there is none (docs/JOURNEYS.md, *Signalling only journeys that may run*).
 */
export interface JourneyPresence {
  /** Called before every start is attempted: from then on, the journey may be running. */
  markStarting(campaign: CampaignType, customerId: string): Promise<void>;
  lookUp(campaign: CampaignType, customerId: string): Promise<PresenceLookup>;
  /** Temporal said no such journey runs: the record may be forgotten, unless a start may be under way. */
  foundNotRunning(lookup: PresenceLookup): Promise<void>;
}

export type PresenceLookup =
  /** Nothing is known (the record is not trusted yet): ask Temporal. */
  | { kind: 'untracked' }
  /** No start was attempted since the journey was last found not running: none runs. */
  | { kind: 'none' }
  /** A start was attempted: the journey may be running. */
  | { kind: 'recorded'; row: PresenceRow };

/**
 * How long a start attempt may take at most: the start call's deadline. A record is forgotten only
 * when its last write is far older than that (PRESENCE_SETTLE_MS), so that a start still under way
 * (written, not yet in Temporal) is never taken for a journey that ended.
 */
export const START_ATTEMPT_DEADLINE_MS = 60_000;
export const PRESENCE_SETTLE_MS = 10 * 60_000;

/** How often a process re-reads whether the backfill is done, until it is. */
const BACKFILL_RECHECK_MS = 5_000;

/** The record in PostgreSQL, trusted once the journeys running before it existed were added to it. */
export function postgresPresence(db: Db, options: { settleMs?: number } = {}): JourneyPresence {
  const settleMs = options.settleMs ?? PRESENCE_SETTLE_MS;
  let backfilled = false;
  let checkedAt = -Infinity;
  const trusted = async (): Promise<boolean> => {
    if (!backfilled && Date.now() - checkedAt >= BACKFILL_RECHECK_MS) {
      checkedAt = Date.now();
      backfilled = await presenceBackfilled(db);
    }
    return backfilled;
  };
  return {
    markStarting: (campaign, customerId) => markPossiblyRunning(db, [{ campaign, customerId }]),
    async lookUp(campaign, customerId) {
      if (!(await trusted())) return { kind: 'untracked' };
      const row = await findPresence(db, { campaign, customerId }, settleMs);
      return row ? { kind: 'recorded', row } : { kind: 'none' };
    },
    async foundNotRunning(lookup) {
      if (lookup.kind === 'recorded' && lookup.row.settled) await forgetPresence(db, lookup.row);
    },
  };
}

/**
 * No record: every signal asks Temporal. For the benchmark's ceiling and naive consumer, which call
 * Temporal exactly as before the record, and for tests of workflows alone.
 */
export const UNTRACKED_PRESENCE: JourneyPresence = {
  markStarting: () => Promise.resolve(),
  lookUp: () => Promise.resolve({ kind: 'untracked' }),
  foundNotRunning: () => Promise.resolve(),
};

const BACKFILL_PAGE = 500;

/**
 * Adds every running journey to the record, then records that it is done, once per database: the
 * journeys started before the record existed. Returns how many it added (0 when already done).
 */
export async function backfillPresence(
  db: Db,
  journeys: {
    list(
      filter: JourneyFilter,
      page: { size: number; token?: Buffer },
    ): Promise<{
      journeys: JourneySummary[];
      nextPageToken: Buffer | null;
    }>;
  },
): Promise<number> {
  if (await presenceBackfilled(db)) return 0;
  let added = 0;
  let token: Buffer | undefined;
  do {
    const page = await journeys.list({ status: 'Running' }, { size: BACKFILL_PAGE, ...(token ? { token } : {}) });
    const keys = page.journeys.flatMap(({ campaign, customerId }) =>
      campaign && customerId ? [{ campaign, customerId }] : [],
    );
    await markPossiblyRunning(db, keys);
    added += keys.length;
    token = page.nextPageToken ?? undefined;
  } while (token);
  await recordPresenceBackfilled(db);
  return added;
}
