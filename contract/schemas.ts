import { msToNumber } from '@temporalio/common';
import { z } from 'zod';
import { formatDuration } from './duration';

/** Small zod schemas shared by the configuration, the settings and the event contract. */

const DAY_MS = 86_400_000;

/** The longest duration any setting takes: a campaign delay, a cooldown, a retention time. */
export const MAX_DURATION_MS = 365 * DAY_MS;

/**
 * A human duration such as "90s", "1h" or "3 days", parsed to milliseconds and bounded, so that a
 * typo ("100000000y") or a zero where waiting nothing would spin is refused with the bound named.
 */
export function durationWithin(minMs: number, maxMs: number) {
  return z.string().transform((text, ctx) => {
    let ms = Number.NaN;
    try {
      ms = msToNumber(text as Parameters<typeof msToNumber>[0]);
    } catch {
      // reported below
    }
    if (!Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (try "30s", "1h", "3 days")` });
    } else if (ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is longer than the maximum of ${formatDuration(maxMs)}` });
    } else if (ms < minMs) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is shorter than the minimum of ${formatDuration(minMs)}` });
    } else {
      return ms;
    }
    return z.NEVER;
  });
}

/** Any duration from zero to MAX_DURATION_MS. */
export const durationMs = durationWithin(0, MAX_DURATION_MS);

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z.string().refine(isTimeZone, 'expected an IANA time zone such as "Europe/Paris"');
