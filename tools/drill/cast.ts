import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** What the drill knows about each customer before the launch, and so what the launch must do with them. */
export type Kind = 'eligible' | 'no_profile' | 'opted_out' | 'already_in_journey';

export interface DrillCustomer {
  customerId: string;
  kind: Kind;
}

/** One customer in twenty of each kind that must be skipped; the rest are eligible. */
const EVERY = 20;
const SKIPPED_KINDS: Kind[] = ['no_profile', 'opted_out', 'already_in_journey'];
/** The churn score every audience line carries: over the campaign's threshold (0.7). */
export const SCORE = 0.9;

/** The audience: customer `i`'s kind depends only on `i`, so the truth is known before anything runs. */
export function castOf(runId: string, customers: number): DrillCustomer[] {
  return Array.from({ length: customers }, (_, i) => ({
    customerId: `drill-${runId}-${i + 1}`,
    kind: SKIPPED_KINDS[i % EVERY] ?? 'eligible',
  }));
}

/** The email domain of a run's customers (Mailpit catches them all). */
export const emailOf = (runId: string, customerId: string) => `${customerId}@drill-${runId}.example`;

export function countByKind(cast: DrillCustomer[]): Record<Kind, number> {
  const counts: Record<Kind, number> = { eligible: 0, no_profile: 0, opted_out: 0, already_in_journey: 0 };
  for (const customer of cast) counts[customer.kind] += 1;
  return counts;
}

/** One duplicate line per thousand customers, at least three. */
export const duplicateLinesFor = (customers: number) => Math.max(3, Math.round(customers / 1_000));

/** The audience as the launch must count it: what enters, what is skipped and why, the duplicate lines. */
export function expectedTotals(cast: DrillCustomer[]) {
  const counts = countByKind(cast);
  return {
    audienceSize: cast.length,
    duplicates: duplicateLinesFor(cast.length),
    entered: counts.eligible,
    skipped: counts.no_profile + counts.opted_out + counts.already_in_journey,
    failed: 0,
    reasons: { already_in_journey: counts.already_in_journey, no_consent: counts.no_profile + counts.opted_out },
  };
}

/**
 * The audience file: one churn-retention start body per line, in order, with duplicate lines of
 * eligible customers spread through it (a customer repeated a few hundred lines after their first line).
 */
export async function writeAudienceFile(path: string, cast: DrillCustomer[]): Promise<{ lines: number }> {
  const duplicates = duplicateLinesFor(cast.length);
  const eligible = cast.filter((customer) => customer.kind === 'eligible');
  const step = Math.max(1, Math.floor(cast.length / duplicates));
  const repeatAfter = new Map<number, string[]>();
  for (let d = 0; d < duplicates; d++) {
    const repeated = eligible[Math.floor((d * eligible.length) / duplicates)]!;
    const at = Math.min(cast.length - 1, cast.indexOf(repeated) + Math.floor(step / 2));
    repeatAfter.set(at, [...(repeatAfter.get(at) ?? []), repeated.customerId]);
  }
  const out = createWriteStream(path);
  let lines = 0;
  const write = async (customerId: string) => {
    lines += 1;
    if (!out.write(`${JSON.stringify({ customerId, score: SCORE })}\n`)) await once(out, 'drain');
  };
  for (const [index, customer] of cast.entries()) {
    await write(customer.customerId);
    for (const repeated of repeatAfter.get(index) ?? []) await write(repeated);
  }
  out.end();
  await once(out, 'finish');
  return { lines };
}
