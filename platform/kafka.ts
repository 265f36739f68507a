import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from './config';
import type { Logger } from './logger';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** TLS and SASL options for kafkajs from the validated configuration. */
export function kafkaSecurity(config: KafkaConfig): Pick<KafkaJsConfig, 'ssl' | 'sasl'> {
  const ssl = config.KAFKA_SSL
    ? config.KAFKA_SSL_CA_FILE
      ? { ca: [readFileSync(config.KAFKA_SSL_CA_FILE, 'utf8')] }
      : true
    : undefined;
  if (!config.KAFKA_SASL_MECHANISM || !config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD)
    return ssl ? { ssl } : {};
  const credentials = { username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD };
  const sasl: SASLOptions =
    config.KAFKA_SASL_MECHANISM === 'plain'
      ? { mechanism: 'plain', ...credentials }
      : config.KAFKA_SASL_MECHANISM === 'scram-sha-256'
        ? { mechanism: 'scram-sha-256', ...credentials }
        : { mechanism: 'scram-sha-512', ...credentials };
  return ssl ? { ssl, sasl } : { sasl };
}

/**
 * A kafkajs client whose own logs flow into the application logger. `patience` replaces the default
 * retries and timeouts, for a client that must give up quickly (a readiness check).
 */
export function createKafka(
  config: KafkaConfig,
  logger: Logger,
  clientIdSuffix = '',
  patience: Pick<KafkaJsConfig, 'retry' | 'requestTimeout' | 'connectionTimeout'> = {},
): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: `${config.KAFKA_CLIENT_ID}${clientIdSuffix}`,
    brokers: config.KAFKA_BROKERS,
    ...kafkaSecurity(config),
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 300, retries: 8 },
    ...patience,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
        kafkaLogger[levels[level] ?? 'info']({ namespace, ...extra }, message);
      },
  });
}
