import { Client, Connection } from '@temporalio/client';
import type { TemporalConfig } from '../config';
import { clientTracingInterceptors } from '../tracing/temporal';

export async function connectTemporalClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
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
