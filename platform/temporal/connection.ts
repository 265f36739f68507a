import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from '../config';
import { clientTracingInterceptors } from '../tracing/temporal';
import { explainConnectFailure } from './connect-failure';
import { temporalConnectionOptions, type TemporalConnectionOptions } from './connection-options';

/** A client-side (grpc-js) connection; a failure says what to check (TemporalConnectError). */
export async function connectTemporal(options: TemporalConnectionOptions): Promise<Connection> {
  try {
    return await Connection.connect(options);
  } catch (error) {
    throw await explainConnectFailure(error, options);
  }
}

export async function connectTemporalClient(config: TemporalConfig): Promise<Client> {
  const connection = await connectTemporal(temporalConnectionOptions(config));
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: clientTracingInterceptors() });
}

/** Link to a workflow (or, without an ID, to a visibility query) in the Temporal Web UI. */
export function temporalUiUrl(
  config: Pick<TemporalConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>,
  target: { workflowId: string } | { query: string },
): string {
  const base =
    `${config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/` +
    `${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows`;
  return 'workflowId' in target
    ? `${base}/${encodeURIComponent(target.workflowId)}`
    : `${base}?query=${encodeURIComponent(target.query)}`;
}
