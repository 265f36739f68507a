import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config';

/** What a process's tracing gives the Temporal worker: the processor and resource its workflow spans go through. */
export interface Tracing {
  readonly enabled: boolean;
  readonly spanProcessor: SpanProcessor;
  readonly resource: Resource;
  /** Sends the spans still buffered; a process calls it as it stops. */
  flush(): Promise<void>;
}

const DISABLED: Tracing = {
  enabled: false,
  spanProcessor: new NoopSpanProcessor(),
  resource: Resource.empty(),
  flush: () => Promise.resolve(),
};

let installed: Tracing | undefined;

/**
 * Installs the process's OpenTelemetry tracer provider, once: spans are batched and exported by
 * OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT, with W3C trace context as the propagation format. Without
 * an endpoint nothing is installed and every span is a no-op. The first caller in a process names it.
 */
export function installTracing(config: TracingConfig, defaultServiceName: string): Tracing {
  if (installed) return installed;
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) {
    installed = DISABLED;
    return installed;
  }
  const resource = Resource.default().merge(
    new Resource({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME ?? defaultServiceName }),
  );
  const spanProcessor = new BatchSpanProcessor(
    new OTLPTraceExporter({ url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces` }),
    { scheduledDelayMillis: 1_000 },
  );
  const provider = new NodeTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.TRACES_SAMPLE_RATIO) }),
    spanProcessors: [spanProcessor],
  });
  provider.register();
  installed = { enabled: true, spanProcessor, resource, flush: () => provider.forceFlush() };
  return installed;
}
