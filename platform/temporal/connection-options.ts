import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalConfig } from '../config';

/** What both `Connection.connect` (client) and `NativeConnection.connect` (worker) take to reach Temporal. */
export interface TemporalConnectionOptions {
  address: string;
  tls: TLSConfig | undefined;
  apiKey: string | undefined;
  /** How long `Connection.connect` waits for the server; the SDK's default (10 s) when unset. */
  connectTimeout?: number;
}

/** The settings that decide how to reach Temporal. */
export type TemporalConnectionConfig = Pick<
  TemporalConfig,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CA_FILE'
  | 'TEMPORAL_TLS_CERT_FILE'
  | 'TEMPORAL_TLS_KEY_FILE'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_API_KEY'
>;

/** TLS is on when TEMPORAL_TLS says so or, unset, when any setting that needs it is there. */
export function temporalTlsEnabled(config: TemporalConnectionConfig): boolean {
  return (
    config.TEMPORAL_TLS ??
    [
      config.TEMPORAL_TLS_CA_FILE,
      config.TEMPORAL_TLS_CERT_FILE,
      config.TEMPORAL_TLS_KEY_FILE,
      config.TEMPORAL_TLS_SERVER_NAME,
      config.TEMPORAL_API_KEY,
    ].some((value) => value !== undefined)
  );
}

/**
 * Reads the TLS files (validated by the config schema) into connection options. Build them once per
 * process and pass the same object to every connect.
 */
export function temporalConnectionOptions(config: TemporalConnectionConfig): TemporalConnectionOptions {
  const tls: TLSConfig | undefined = temporalTlsEnabled(config)
    ? {
        serverRootCACertificate: config.TEMPORAL_TLS_CA_FILE ? readFileSync(config.TEMPORAL_TLS_CA_FILE) : undefined,
        clientCertPair:
          config.TEMPORAL_TLS_CERT_FILE && config.TEMPORAL_TLS_KEY_FILE
            ? { crt: readFileSync(config.TEMPORAL_TLS_CERT_FILE), key: readFileSync(config.TEMPORAL_TLS_KEY_FILE) }
            : undefined,
        serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
      }
    : undefined;
  return { address: config.TEMPORAL_ADDRESS, tls, apiKey: config.TEMPORAL_API_KEY };
}
