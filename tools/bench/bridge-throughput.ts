import { cartUpdated } from './events';
import { benchApp, phaseEnv, phaseNames, stackCpu, workflowIdOf, type BenchContext } from './context';
import { createTopics, producePaced } from './kafka-load';
import { usageOf } from './processes';
import { percentiles, ratePerSecond, type Percentiles } from './stats';
import { startTimes, waitForCount } from './visibility';

export interface BridgeResult {
  produced: number;
  routed: number;
  offeredPerSecond: number;
  perSecond: number;
  eventToAckMs: Percentiles;
  cpuSeconds: { bridge: number; temporal: number; kafka: number };
  wallSeconds: number;
}

/**
 * The real bridge, as its own process, fed at `offeredRate` events per second. An event is acknowledged when
 * Temporal has started its journey: the journey's start time (Temporal's clock, same machine) minus
 * the event's occurredAt (its production time) is the event-to-acknowledge latency.
 */
export async function measureBridge(context: BenchContext, count: number, offeredRate: number): Promise<BridgeResult> {
  const names = phaseNames(context, 'bridge');
  await createTopics(context.admin, [names.topic, names.dlq], context.partitions);
  const bridge = benchApp(context, 'bridge', 'bridge', phaseEnv(context, names));
  await bridge.start();
  try {
    const warmUp = cartUpdated(context.runId, `warm-${context.runId}`, new Date());
    await context.producer.send({
      topic: names.topic,
      acks: -1,
      messages: [{ key: warmUp.customerId, value: JSON.stringify(warmUp) }],
    });
    if ((await waitForCount(context.client, names.query, 1, 60_000)) < 1)
      throw new Error('the bridge routed nothing within 60s of starting (see its log)');

    const occurredAt: number[] = [];
    const cpuBefore = usageOf(bridge.pid).cpuSeconds;
    const stack = stackCpu();
    const produced = await producePaced(context.producer, names.topic, count, offeredRate, (index, now) => {
      occurredAt[index] = now.getTime();
      return cartUpdated(context.runId, `br-${context.runId}-${index}`, now);
    });
    const routed =
      (await waitForCount(context.client, names.query, count + 1, Math.max(120_000, (count / offeredRate) * 10_000))) -
      1;
    const cpu = stack();
    const bridgeCpu = usageOf(bridge.pid).cpuSeconds - cpuBefore;

    const starts = await startTimes(context.client, names.query);
    const latencies: number[] = [];
    let lastAck = 0;
    for (let index = 0; index < count; index += 1) {
      const startedAt = starts.get(workflowIdOf('cart-abandonment', `br-${context.runId}-${index}`));
      if (startedAt === undefined) continue;
      latencies.push(Math.max(0, startedAt - occurredAt[index]!));
      lastAck = Math.max(lastAck, startedAt);
    }
    const result = {
      produced: count,
      routed,
      offeredPerSecond: ratePerSecond(count, produced.firstSentAt, produced.lastAckedAt),
      perSecond: ratePerSecond(latencies.length, produced.firstSentAt, lastAck),
      eventToAckMs: percentiles(latencies),
      cpuSeconds: { bridge: bridgeCpu, temporal: cpu.temporalCpuSeconds, kafka: cpu.kafkaCpuSeconds },
      wallSeconds: (lastAck - produced.firstSentAt) / 1000,
    };
    context.say(
      `bridge   ${result.routed}/${count} routed at ${result.perSecond.toFixed(0)}/s ` +
        `(offered ${result.offeredPerSecond.toFixed(0)}/s); ` +
        `event→ack p50 ${result.eventToAckMs.p50} ms, p95 ${result.eventToAckMs.p95} ms, ` +
        `p99 ${result.eventToAckMs.p99} ms`,
    );
    return result;
  } finally {
    await bridge.stop();
  }
}
