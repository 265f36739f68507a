import { msToNumber } from '@temporalio/common';
import { z } from 'zod';

/** Small zod schemas shared by the configuration, the settings and the event contract. */

/** A human duration such as "90s", "1h" or "3 days", parsed to milliseconds. */
export const durationMs = z.string().transform((text, ctx) => {
  try {
    const ms = msToNumber(text as Parameters<typeof msToNumber>[0]);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (try "30s", "1h", "3 days")` });
  return z.NEVER;
});

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZone = z.string().refine(isTimeZone, 'expected an IANA time zone such as "Europe/Paris"');
