import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from './tracing';

/**
 * Temporal's OpenTelemetry interceptors carry the trace context in the headers of every start,
 * signal and activity: a journey's spans join the trace of the event that started it, and its
 * sends join the journey's. Without a tracer provider they do nothing.
 */

/** The workflow-side interceptors, bundled with the workflow code (workers/bundle-workflows-main.ts). */
export const workflowTracingInterceptorsModule =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

export function clientTracingInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/**
 * Activity interceptors, and the sink through which workflow spans reach the process's exporter; none
 * when tracing is off, so that an untraced worker does no tracing work at all.
 */
export function workerTracingOptions(tracing: Tracing): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!tracing.enabled) return {};
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
