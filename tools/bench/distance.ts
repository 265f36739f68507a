import type { Kafka } from 'kafkajs';
import { connectTemporalClient } from '../../platform/temporal/connection';
import { measureCeiling, type CeilingLevel } from './ceiling';
import { phaseNames, waitForQuietServer, type BenchContext } from './context';
import { measureBridgeDrain, type DrainResult } from './drain';
import { measureNaive } from './naive-throughput';
import { latencyProxy } from './toxiproxy';

export interface DistanceResult {
  roundTripMs: number;
  ceiling: CeilingLevel;
  naive: DrainResult;
  bridge: DrainResult;
  /** The bridge of the code before issue 20, when it was measured too. */
  bridgeBefore?: DrainResult;
}

export interface DistanceCounts {
  ceiling: number;
  concurrency: number;
  naive: number;
  bridge: number;
}

/**
 * The ceiling, the naive bridge and the bridge, each reaching Temporal through a Toxiproxy that
 * adds `roundTripMs` to every exchange, as a Temporal cluster or Temporal Cloud some distance away
 * would. Kafka, PostgreSQL and the benchmark's own bookkeeping stay local.
 */
export async function measureAtDistance(
  context: BenchContext,
  kafka: Kafka,
  roundTripMs: number,
  counts: DistanceCounts,
  before?: string,
): Promise<DistanceResult> {
  const lane = `rtt${roundTripMs}`;
  const proxy = await latencyProxy(`bench-${context.runId}-${lane}`, context.config.TEMPORAL_ADDRESS, roundTripMs);
  const far = await connectTemporalClient({ ...context.config, TEMPORAL_ADDRESS: proxy.address });
  const say = (line: string) => context.say(`${lane.padEnd(6)} ${line}`);
  try {
    await waitForQuietServer(context);
    const [ceiling] = await measureCeiling(
      far,
      phaseNames(context, `${lane}-ceiling`).taskQueue,
      `${context.runId}-${lane}`,
      counts.ceiling,
      [counts.concurrency],
      say,
    );
    const naive = await measureNaive(context, kafka, counts.naive, { phase: `${lane}-naive`, client: far });
    say(`naive    ${naive.routed}/${naive.produced} routed at ${naive.perSecond.toFixed(0)}/s`);
    const bridge = await measureBridgeDrain(context, `${lane}-bridge`, counts.bridge, {
      TEMPORAL_ADDRESS: proxy.address,
    });
    say(
      `bridge   ${bridge.routed}/${bridge.produced} routed at ${bridge.perSecond.toFixed(0)}/s: ` +
        `${(bridge.perSecond / ceiling!.perSecond).toFixed(2)} of the ceiling, ` +
        `${(bridge.perSecond / naive.perSecond).toFixed(1)}× the naive bridge`,
    );
    if (!before) return { roundTripMs, ceiling: ceiling!, naive, bridge };
    const bridgeBefore = await measureBridgeDrain(
      context,
      `${lane}-bridge-before`,
      counts.bridge,
      { TEMPORAL_ADDRESS: proxy.address },
      before,
    );
    say(
      `bridge   before issue 20: ${bridgeBefore.routed}/${bridgeBefore.produced} routed at ` +
        `${bridgeBefore.perSecond.toFixed(0)}/s: ` +
        `${(bridgeBefore.perSecond / ceiling!.perSecond).toFixed(2)} of the ceiling`,
    );
    return { roundTripMs, ceiling: ceiling!, naive, bridge, bridgeBefore };
  } finally {
    await far.connection.close();
    await proxy.remove();
  }
}
