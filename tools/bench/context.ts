import type { Client } from '@temporalio/client';
import type { Admin, Producer } from 'kafkajs';
import type { Db } from '../../platform/db/database';
import type { BridgeConfig } from '../../platform/config';
import { journeyWorkflowId, type CampaignType } from '../../contract/journeys';
import { ChildApp, type Role } from '../chaos/processes';
import { stackPid, usageOf, type Usage } from './processes';

export interface BenchContext {
  runId: string;
  /** The bench's own settings: where Temporal, Kafka and PostgreSQL are. */
  config: BridgeConfig;
  /** Every task queue a phase used, for the clean-up at the end. */
  taskQueues: Set<string>;
  client: Client;
  admin: Admin;
  producer: Producer;
  db: Db;
  partitions: number;
  mailpitUrl: string;
  logDir: string;
  /** Whether the bridges and workers write CPU profiles (`--cpu-prof`), each into `<logDir>/<name>.cpuprofiles/`. */
  cpuProfiles: boolean;
  say: (line: string) => void;
}

/** Names of a phase's own topic, dead-letter topic, consumer group and task queue. */
export function phaseNames(context: BenchContext, phase: string) {
  const base = `bench-${context.runId}-${phase}`;
  context.taskQueues.add(base);
  return { topic: base, dlq: `${base}.dlq`, group: base, taskQueue: base, query: `TaskQueue = "${base}"` };
}

/** The environment of a phase's bridge and worker: its topic, dead-letter topic, group and task queue. */
export function phaseEnv(
  context: BenchContext,
  names: ReturnType<typeof phaseNames>,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    EVENTS_TOPIC: names.topic,
    DLQ_TOPIC: names.dlq,
    KAFKA_GROUP_ID: names.group,
    TEMPORAL_TASK_QUEUE: names.taskQueue,
    EVENTS_TOPIC_PARTITIONS: String(context.partitions),
    ...extra,
  };
}

/** A phase's bridge or worker, its output in the run's log directory; `root`: another checkout's code. */
export function benchApp(context: BenchContext, role: Role, name: string, env: Record<string, string>, root?: string) {
  const profile = context.cpuProfiles ? ['--cpu-prof', `--cpu-prof-dir=${context.logDir}/${name}.cpuprofiles`] : [];
  return new ChildApp(role, name, env, context.logDir, root, profile);
}

export function workflowIdOf(campaign: CampaignType, customerId: string): string {
  return journeyWorkflowId(campaign, customerId);
}

/** CPU seconds used by the stack's Temporal server and Kafka broker between two snapshots. */
export function stackCpu(): () => { temporalCpuSeconds: number; kafkaCpuSeconds: number } {
  const read = (name: 'temporal' | 'kafka'): Usage | null => {
    const pid = stackPid(name);
    try {
      return pid ? usageOf(pid) : null;
    } catch {
      return null;
    }
  };
  const before = { temporal: read('temporal'), kafka: read('kafka') };
  return () => {
    const after = { temporal: read('temporal'), kafka: read('kafka') };
    return {
      temporalCpuSeconds:
        before.temporal && after.temporal ? after.temporal.cpuSeconds - before.temporal.cpuSeconds : NaN,
      kafkaCpuSeconds: before.kafka && after.kafka ? after.kafka.cpuSeconds - before.kafka.cpuSeconds : NaN,
    };
  };
}

/**
 * Waits until the Temporal server is idle (under 5 % of a core over a second, twice running), so that
 * work an earlier phase or run left behind, such as a batch terminating its journeys, is not charged
 * to the phase about to be measured. Gives up after `timeoutMs`, and says so.
 */
export async function waitForQuietServer(context: BenchContext, timeoutMs = 180_000): Promise<void> {
  const pid = stackPid('temporal');
  if (!pid) return;
  const deadline = Date.now() + timeoutMs;
  let quietSeconds = 0;
  let last = usageOf(pid).cpuSeconds;
  while (quietSeconds < 2) {
    if (Date.now() > deadline) {
      context.say(`the Temporal server was still busy after ${timeoutMs / 1000} s; measuring anyway`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = usageOf(pid).cpuSeconds;
    quietSeconds = now - last < 0.05 ? quietSeconds + 1 : 0;
    last = now;
  }
}
