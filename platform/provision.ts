import { createDb, migrateToLatest } from './db/database';
import { loadConfig, provisionConfigSchema } from './config';
import { createKafka } from './kafka';
import { createLogger } from './logger';
import { connectTemporal } from './temporal/connection';
import { temporalConnectionOptions } from './temporal/connection-options';
import { ensureSearchAttributes } from './temporal/search-attributes';

/**
 * Brings the services to the shape the project needs, idempotently: database migrations, Kafka
 * topics, and the Temporal search attributes. Safe to run on every start.
 */
async function main(): Promise<void> {
  const config = loadConfig(provisionConfigSchema);
  const logger = createLogger('provision', config.LOG_LEVEL);

  const db = createDb(config.DATABASE_URL, 1);
  try {
    const applied = await migrateToLatest(db);
    logger.info({ applied }, applied.length ? 'database migrated' : 'database schema up to date');
  } finally {
    await db.destroy();
  }

  const admin = createKafka(config, logger, '-provision').admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [
      { topic: config.EVENTS_TOPIC, numPartitions: config.EVENTS_TOPIC_PARTITIONS },
      { topic: config.DLQ_TOPIC, numPartitions: 1 },
    ].filter(({ topic }) => !existing.has(topic));
    if (wanted.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: wanted.map((topic) => ({ ...topic, replicationFactor: 1 })),
      });
    }
    logger.info({ created: wanted.map(({ topic }) => topic) }, 'kafka topics ready');
  } finally {
    await admin.disconnect();
  }

  const connection = await connectTemporal(temporalConnectionOptions(config));
  try {
    const missing = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
    logger.info({ added: missing }, 'temporal search attributes ready');
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`provision failed: ${(error as Error).message}\n`);
  process.exit(1);
});
