import { z } from 'zod';
import { durationMs, durationWithin, MAX_DURATION_MS } from '../schemas';
import type { JourneyMechanics } from './types';

/** What every campaign's settings share, and the schema pieces its own settings are written with. */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A duration as text ("90s", "3 days") or as milliseconds, from zero to a year. */
export const duration = z.preprocess((value) => (typeof value === 'number' ? `${value}ms` : value), durationMs);
/** How often a paused journey looks again: a zero would spin the journey on its own timers. */
const recheckInterval = z.preprocess(
  (value) => (typeof value === 'number' ? `${value}ms` : value),
  durationWithin(1000, MAX_DURATION_MS),
);
/**
 * The fewest history events after which a journey continues as new. A fresh run writes some 15-20
 * events (settings, markers, the plan) before its first wait or hold checks; a threshold under that
 * would make each new run continue as new at once, again and again, without time passing.
 */
export const MIN_CONTINUE_AS_NEW_AFTER_EVENTS = 50;

/** The largest share of a campaign's customers that may be held out. */
export const MAX_HOLDOUT = 0.5;
/** How long after its entry an order still counts as a journey's conversion: an hour to 90 days. */
const conversionWindow = z.preprocess(
  (value) => (typeof value === 'number' ? `${value}ms` : value),
  durationWithin(HOUR, 90 * DAY),
);

/** The overrides every campaign takes, before its own. */
export const mechanicsOverrides = {
  pauseRecheck: recheckInterval.optional(),
  maxEntryAge: duration.optional(),
  continueAsNewAfterEvents: z
    .number()
    .int()
    .min(
      MIN_CONTINUE_AS_NEW_AFTER_EVENTS,
      `at least ${MIN_CONTINUE_AS_NEW_AFTER_EVENTS} (a fresh run's own first events)`,
    )
    .max(50_000)
    .optional(),
  holdout: z.number().min(0).max(MAX_HOLDOUT).optional(),
  assignmentSalt: z.string().min(1).max(64).optional(),
  conversionWindow: conversionWindow.optional(),
};
/** The mechanics overrides written as durations; workflows get them as `<name>Ms`. */
export const MECHANICS_DURATIONS = ['pauseRecheck', 'maxEntryAge', 'conversionWindow'] as const;

export const DEFAULT_MECHANICS: Required<Omit<JourneyMechanics, 'maxEntryAgeMs'>> = {
  pauseRecheckMs: 15 * 60_000,
  continueAsNewAfterEvents: 5_000,
  holdout: 0.1,
  assignmentSalt: 'v1',
  conversionWindowMs: 7 * DAY,
  variants: {},
};
