import type { JourneyCostResult } from './journey-cost';

export interface CombinedCost extends JourneyCostResult {
  rounds: number;
  /** The lowest and highest server CPU per journey of its rounds: how far one round can be off. */
  temporalCpuMsRange: [number, number];
}

/**
 * The Temporal server's CPU per journey moves by a third from one measurement to the next (its
 * SQLite database, its garbage collector): one round each, always in the same order, can show a
 * change that is not there, or hide one. Each round measures every version once, and the order turns
 * round by round (before, now | now, before | …), so each version is measured first as often as last.
 */
export async function measureCostRounds<V extends { label: string }>(
  versions: readonly V[],
  rounds: number,
  measure: (version: V, round: number) => Promise<JourneyCostResult>,
): Promise<{ rounds: JourneyCostResult[]; combined: CombinedCost[] }> {
  const measured: JourneyCostResult[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? versions : [...versions].reverse();
    for (const version of order) measured.push(await measure(version, round));
  }
  return { rounds: measured, combined: combineCostRounds(measured) };
}

/** Per version: every journey of every round counted once (sums, then means), with the rounds' CPU spread. */
export function combineCostRounds(measured: readonly JourneyCostResult[]): CombinedCost[] {
  const labels = [...new Set(measured.map((result) => result.label))];
  return labels.map((label) => {
    const own = measured.filter((result) => result.label === label);
    const journeys = own.reduce((sum, result) => sum + result.journeys, 0);
    const weighted = (pick: (result: JourneyCostResult) => number) =>
      own.reduce((sum, result) => sum + pick(result) * result.journeys, 0) / journeys;
    const cpu = own.map((result) => result.temporalCpuMsPerJourney);
    return {
      label,
      journeys,
      completed: own.reduce((sum, result) => sum + result.completed, 0),
      historyEvents: weighted((result) => result.historyEvents),
      workflowTasks: weighted((result) => result.workflowTasks),
      temporalCpuMsPerJourney: weighted((result) => result.temporalCpuMsPerJourney),
      rounds: own.length,
      temporalCpuMsRange: [Math.min(...cpu), Math.max(...cpu)],
    };
  });
}
