import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { bridgeConfigSchema, loadConfig, workerConfigSchema } from '../../../platform/config';
import { contextFromHeaders } from '../../../platform/tracing/kafka-context';

describe('tracing settings', () => {
  it('traces nothing by default, and keeps every trace started here once an endpoint is set', () => {
    const quiet = loadConfig(workerConfigSchema, { TRACKING_SIGNING_KEYS: `k1:${'s'.repeat(32)}` });
    assert.equal(quiet.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.equal(quiet.TRACES_SAMPLE_RATIO, 1);
    const traced = loadConfig(bridgeConfigSchema, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      TRACES_SAMPLE_RATIO: '0.25',
    });
    assert.deepEqual([traced.OTEL_EXPORTER_OTLP_ENDPOINT, traced.TRACES_SAMPLE_RATIO], ['http://127.0.0.1:4318', 0.25]);
  });

  it('names the variable of a bad endpoint or ratio', () => {
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { OTEL_EXPORTER_OTLP_ENDPOINT: '127.0.0.1:4318' }),
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    assert.throws(() => loadConfig(bridgeConfigSchema, { TRACES_SAMPLE_RATIO: '2' }), /TRACES_SAMPLE_RATIO/);
  });
});

describe('trace context in Kafka headers', () => {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parentId = '00f067aa0ba902b7';

  it("continues the producer's trace from a traceparent header, as kafkajs hands it (a Buffer)", () => {
    const context = contextFromHeaders({ traceparent: Buffer.from(`00-${traceId}-${parentId}-01`) });
    const parent = trace.getSpanContext(context);
    assert.equal(parent?.traceId, traceId);
    assert.equal(parent?.spanId, parentId);
    assert.equal(parent?.isRemote, true);
  });

  it('starts from no trace when the message carries none, or a malformed one', () => {
    assert.equal(trace.getSpanContext(contextFromHeaders(undefined)), undefined);
    assert.equal(trace.getSpanContext(contextFromHeaders({ traceparent: 'not-a-traceparent' })), undefined);
  });
});
