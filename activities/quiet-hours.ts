import type { QuietHours } from '../contract/settings/types';

/**
 * When a send at `atMs` falls inside the quiet window in the customer's time zone, returns the
 * instant the window ends; otherwise null. The window may wrap midnight ("21:00"–"09:00").
 *
 * The answer is always a real instant after `atMs` at which the window is over: an end that falls
 * in a daylight-saving gap (02:00 on the night New York springs forward) resolves to the first
 * instant after the gap, and an end that happens twice (clocks falling back) to the first of them.
 */
export function quietHoursEnd(atMs: number, timeZone: string, window: QuietHours): number | null {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return null;
  const quietAt = (ms: number) => {
    const now = localClock(ms, timeZone).minutes;
    return start < end ? now >= start && now < end : now >= start || now < end;
  };
  if (!quietAt(atMs)) return null;

  const local = localClock(atMs, timeZone);
  const minutesToEnd = (end - local.minutes + 1440) % 1440;
  const naive = atMs + minutesToEnd * 60_000 - local.seconds * 1000 - local.milliseconds;
  // A daylight-saving change inside the wait shifts the wall clock: try the corrected instant, then the
  // naive one (the gap case), then hour by hour as a last resort.
  const drift = localClock(naive, timeZone).minutes - end;
  const corrected = naive - ((((drift % 1440) + 1440 + 720) % 1440) - 720) * 60_000;
  const candidates = [corrected, naive, ...Array.from({ length: 26 }, (_, hour) => naive + (hour + 1) * 3_600_000)];
  const found = candidates.find((ms) => ms > atMs && !quietAt(ms));
  if (found === undefined) return atMs + 3_600_000;
  let over = found;

  // The earliest whole minute at which the window is over, between `atMs` (quiet) and `over` (not).
  let quiet = atMs;
  for (let minutes = Math.floor((over - quiet) / 60_000); minutes > 1; minutes = Math.floor((over - quiet) / 60_000)) {
    const middle: number = over - Math.floor(minutes / 2) * 60_000;
    if (quietAt(middle)) quiet = middle;
    else over = middle;
  }
  return over;
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours! * 60 + minutes!;
}

const clocks = new Map<string, Intl.DateTimeFormat>();

function localClock(atMs: number, timeZone: string): { minutes: number; seconds: number; milliseconds: number } {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    clocks.set(timeZone, clock);
  }
  const parts = clock.formatToParts(new Date(atMs));
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value ?? 0);
  return { minutes: part('hour') * 60 + part('minute'), seconds: part('second'), milliseconds: atMs % 1000 };
}

/** "09:00 Europe/Paris", for timelines and timer summaries. */
export function describeLocal(atMs: number, timeZone: string): string {
  const clock = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(atMs));
  return `${clock} ${timeZone}`;
}
