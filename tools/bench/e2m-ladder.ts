import type { EventToMessageResult } from './event-to-message';
import { heldWithinTarget } from './report';

/** How far up the ladder goes: each rung offers this many times the rate of the one before. */
const RUNG_FACTOR = 1.4;

export interface LadderOptions {
  /** The first rung, in events per second. */
  start: number;
  /** At most this many rungs before one misses. */
  steps: number;
  /**
   * Rungs between the last that held and the first that missed, each at the geometric middle of
   * the two: the rate found is then within 1.4^(1/2^refine) of the rate this code sustains.
   */
  refine: number;
}

/**
 * One code version's event → email ladder: from `start`, each rung 1.4 times the last, until p99
 * misses 1 s (or an email is missing); then the gap is narrowed `refine` times.
 */
export async function climbLadder(
  measure: (offeredRate: number, attempt: number) => Promise<EventToMessageResult>,
  options: LadderOptions,
): Promise<EventToMessageResult[]> {
  const results: EventToMessageResult[] = [];
  let held: number | null = null;
  let missed: number | null = null;
  let attempt = 0;
  for (let rate = options.start; attempt < options.steps; attempt += 1, rate *= RUNG_FACTOR) {
    const measured = await measure(rate, attempt);
    results.push(measured);
    if (!heldWithinTarget(measured)) {
      missed = rate;
      attempt += 1;
      break;
    }
    held = rate;
  }
  for (let step = 0; step < options.refine && held !== null && missed !== null; step += 1, attempt += 1) {
    const rate = Math.sqrt(held * missed);
    const measured = await measure(rate, attempt);
    results.push(measured);
    if (heldWithinTarget(measured)) held = rate;
    else missed = rate;
  }
  return results;
}
