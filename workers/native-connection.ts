import { NativeConnection } from '@temporalio/worker';
import { explainConnectFailure } from '../platform/temporal/connect-failure';
import type { TemporalConnectionOptions } from '../platform/temporal/connection-options';

/** The worker's (Rust core) connection; a failure says what to check (TemporalConnectError). */
export async function connectNativeTemporal(options: TemporalConnectionOptions): Promise<NativeConnection> {
  // The core has no connect timeout of its own to set.
  const { connectTimeout: _clientOnly, ...nativeOptions } = options;
  try {
    return await NativeConnection.connect(nativeOptions);
  } catch (error) {
    throw await explainConnectFailure(error, options);
  }
}
