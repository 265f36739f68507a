import type { CustomerEvent } from '../../contract/events';
import { JourneyClient } from '../../platform/temporal/journeys';
import { postgresPresence } from '../../platform/temporal/journey-presence';
import { benchApp, phaseNames, type BenchContext } from './context';
import { cartUpdated } from './events';
import { usageOf } from './processes';
import { inPool } from './stats';
import { waitForCount } from './visibility';

export interface WaitingResult {
  journeys: number;
  rampSeconds: number;
  rampWorkerCpuPercent: number;
  idleWorkerCpuPercent: number;
  workerRssMb: number;
}

const IDLE_SAMPLE_MS = 15_000;

/**
 * One worker process holding `levels` journeys waiting on their first cart reminder (1 hour away):
 * its resident memory and CPU once they all wait, and the CPU it spent getting them there.
 */
export async function measureWaitingJourneys(context: BenchContext, levels: number[]): Promise<WaitingResult[]> {
  const names = phaseNames(context, 'wait');
  const worker = benchApp(context, 'worker', 'wait-worker', { TEMPORAL_TASK_QUEUE: names.taskQueue });
  await worker.start();
  const journeys = new JourneyClient(context.client, names.taskQueue, postgresPresence(context.db));
  const results: WaitingResult[] = [];
  let started = 0;
  try {
    for (const target of levels) {
      const rampFrom = Date.now();
      const cpuFrom = usageOf(worker.pid).cpuSeconds;
      await inPool(target - started, 32, async (offset) => {
        const customerId = `wait-${context.runId}-${started + offset}`;
        await journeys.startOrSignal(
          'cart-abandonment',
          cartUpdated(context.runId, customerId, new Date()) as CustomerEvent,
        );
      });
      started = target;
      let lastReport = Date.now();
      const waiting = await waitForCount(
        context.client,
        `${names.query} AND JourneyStage = "waiting_for_reminder_1"`,
        target,
        Math.max(300_000, target * 50),
        (count) => {
          if (count < target && Date.now() - lastReport > 30_000) {
            lastReport = Date.now();
            context.say(`         ${count}/${target} journeys waiting so far`);
          }
        },
      );
      if (waiting < target)
        throw new Error(
          `only ${waiting}/${target} journeys reached their first wait (worker log: ${context.logDir}/wait-worker.log)`,
        );
      const rampSeconds = (Date.now() - rampFrom) / 1000;
      const rampCpu = usageOf(worker.pid).cpuSeconds - cpuFrom;
      const idleFrom = usageOf(worker.pid).cpuSeconds;
      await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
      const usage = usageOf(worker.pid);
      const result = {
        journeys: target,
        rampSeconds,
        rampWorkerCpuPercent: (rampCpu / rampSeconds) * 100,
        idleWorkerCpuPercent: ((usage.cpuSeconds - idleFrom) / (IDLE_SAMPLE_MS / 1000)) * 100,
        workerRssMb: usage.rssMb,
      };
      results.push(result);
      context.say(
        `waiting  ${target} journeys waiting: worker RSS ${result.workerRssMb.toFixed(0)} MB, ` +
          `idle CPU ${result.idleWorkerCpuPercent.toFixed(1)}%; ` +
          `reached in ${rampSeconds.toFixed(0)} s at ${result.rampWorkerCpuPercent.toFixed(0)}% worker CPU`,
      );
    }
    return results;
  } finally {
    await worker.stop();
  }
}
