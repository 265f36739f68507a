import { stackEnv } from './services';

/** A span as Jaeger's query API returns it, with its service and attributes flattened. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentId: string | null;
  name: string;
  service: string;
  attributes: Record<string, unknown>;
}

interface JaegerTrace {
  traceID: string;
  spans: Array<{
    traceID: string;
    spanID: string;
    operationName: string;
    processID: string;
    references?: Array<{ refType: string; spanID: string }>;
    tags?: Array<{ key: string; value: unknown }>;
  }>;
  processes: Record<string, { serviceName: string }>;
}

function flatten(trace: JaegerTrace): StoredSpan[] {
  return trace.spans.map((span) => ({
    traceId: span.traceID,
    spanId: span.spanID,
    parentId: span.references?.find((ref) => ref.refType === 'CHILD_OF')?.spanID ?? null,
    name: span.operationName,
    service: trace.processes[span.processID]?.serviceName ?? '?',
    attributes: Object.fromEntries((span.tags ?? []).map((tag) => [tag.key, tag.value])),
  }));
}

async function get(path: string): Promise<{ data: JaegerTrace[] | null } | null> {
  const response = await fetch(`${stackEnv.jaegerApi}${path}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`Jaeger answered ${response.status} to ${path}: ${await response.text()}`);
  return (await response.json()) as { data: JaegerTrace[] | null };
}

/** Every span Jaeger holds of one trace; empty until the trace arrives. */
export async function traceSpans(traceId: string): Promise<StoredSpan[]> {
  const body = await get(`/api/traces/${traceId}`);
  return (body?.data ?? []).flatMap(flatten);
}

/** The traces of a service whose spans carry these attributes (Jaeger's tag search), as span lists. */
export async function findTraces(service: string, tags: Record<string, string>): Promise<StoredSpan[][]> {
  const query = new URLSearchParams({ service, tags: JSON.stringify(tags), lookback: '1h', limit: '20' });
  const body = await get(`/api/traces?${query.toString()}`);
  return (body?.data ?? []).map(flatten);
}

/** The chain of names from a span up to its trace's root, the span itself first. */
export function ancestry(spans: StoredSpan[], span: StoredSpan): string[] {
  const byId = new Map(spans.map((entry) => [entry.spanId, entry]));
  const chain: string[] = [];
  for (let current: StoredSpan | undefined = span; current; current = byId.get(current.parentId ?? '')) {
    chain.push(current.name);
    if (chain.length > 50) break;
  }
  return chain;
}
