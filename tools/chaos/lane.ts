import type { Client } from '@temporalio/client';
import { Partitioners, type Admin, type Producer } from 'kafkajs';
import type { BridgeConfig } from '../../platform/config';
import { createKafka } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import { TwilioSandbox } from '../sandbox/twilio-sandbox';
import { connectTemporalClient } from '../../platform/temporal/connection';

/**
 * A run's own lane on the shared stack (the chaos run, the fuzzer): its topic and dead-letter topic,
 * a producer, a Temporal client and a Twilio stand-in of its own. `close()` removes the topics.
 */
export interface Lane {
  admin: Admin;
  producer: Producer;
  client: Client;
  sms: TwilioSandbox;
  close(): Promise<void>;
}

export async function openLane(
  config: BridgeConfig,
  logger: Logger,
  topics: { topic: string; dlq: string },
  clientSuffix: string,
): Promise<Lane> {
  const kafka = createKafka(config, logger, clientSuffix);
  const admin = kafka.admin();
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const client = await connectTemporalClient(config);
  await admin.connect();
  await producer.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [topics.topic, topics.dlq].map((topic) => ({
      topic,
      numPartitions: config.EVENTS_TOPIC_PARTITIONS,
      replicationFactor: 1,
    })),
  });
  const sms = new TwilioSandbox();
  await sms.start();
  return {
    admin,
    producer,
    client,
    sms,
    async close() {
      await sms.stop();
      await admin.deleteTopics({ topics: [topics.topic, topics.dlq] }).catch(() => undefined);
      await producer.disconnect();
      await admin.disconnect();
      await client.connection.close();
    },
  };
}
