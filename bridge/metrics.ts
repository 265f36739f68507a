import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The bridge's Prometheus metrics, on a registry of its own. */
export function createBridgeMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'bridge_' });
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
  return {
    registry,
    consumed: new Counter({
      name: 'bridge_events_consumed_total',
      help: 'Messages taken from the events topic',
      labelNames: ['topic'],
      registers: [registry],
    }),
    routed: new Counter({
      name: 'bridge_events_routed_total',
      help: 'Events acknowledged by Temporal or the profile store',
      labelNames: ['type'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'bridge_events_dead_lettered_total',
      help: 'Messages written to the dead-letter topic',
      labelNames: ['reason'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'bridge_event_retries_total',
      help: 'Attempts that failed on infrastructure and were retried',
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'bridge_consumer_lag',
      help: 'Messages behind the end of each partition, after the last batch',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    occurredToAck: new Histogram({
      name: 'bridge_event_occurred_to_ack_seconds',
      help: "From the event's occurredAt to its acknowledgement",
      buckets: latencyBuckets,
      registers: [registry],
    }),
    consumedToAck: new Histogram({
      name: 'bridge_event_consumed_to_ack_seconds',
      help: 'From consumption to acknowledgement',
      buckets: latencyBuckets,
      registers: [registry],
    }),
  };
}

export type BridgeMetrics = ReturnType<typeof createBridgeMetrics>;
