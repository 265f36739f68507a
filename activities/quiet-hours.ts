import type { QuietHours } from '../workflows/settings';

/**
 * When a send at `atMs` falls inside the quiet window in the customer's time zone, returns the
 * instant the window ends; otherwise null. The window may wrap midnight ("21:00"–"09:00").
 */
export function quietHoursEnd(atMs: number, timeZone: string, window: QuietHours): number | null {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return null;
  const local = localClock(atMs, timeZone);
  const now = local.minutes;
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;

  const minutesToEnd = (end - now + 1440) % 1440;
  let candidate = atMs + minutesToEnd * 60_000 - local.seconds * 1000 - local.milliseconds;
  // A daylight-saving change inside the wait shifts the wall clock; correct once against it.
  const drift = localClock(candidate, timeZone).minutes - end;
  const driftMinutes = ((((drift % 1440) + 1440 + 720) % 1440) - 720);
  candidate -= driftMinutes * 60_000;
  return candidate;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

function localClock(atMs: number, timeZone: string): { minutes: number; seconds: number; milliseconds: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(atMs));
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value ?? 0);
  return { minutes: part('hour') * 60 + part('minute'), seconds: part('second'), milliseconds: atMs % 1000 };
}

/** "09:00 Europe/Paris", for timelines and timer summaries. */
export function describeLocal(atMs: number, timeZone: string): string {
  const clock = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(atMs));
  return `${clock} ${timeZone}`;
}
