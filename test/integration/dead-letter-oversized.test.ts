import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigResourceTypes, Partitioners, type Admin, type Producer } from 'kafkajs';
import { bridgeConfigSchema, loadConfig } from '../../platform/config';
import { createKafka } from '../../platform/kafka';
import { createLogger } from '../../platform/logger';
import { cancelJourneySignal, journeyStateQuery, journeyWorkflowId } from '../../contract/journeys';
import { TestApp } from '../support/app';
import { eventually, runId } from '../support/services';

/**
 * A rejected message just under the broker's size limit: its dead-letter copy (the same bytes plus
 * the reason headers) is over it, and the broker refuses it. The partition must not stay stuck.
 */
describe("dead-lettering a message near the broker's size limit", () => {
  const app = new TestApp('dlq-size', {
    CAMPAIGN_SETTINGS: JSON.stringify({ 'browse-abandonment': { emailDelay: '1 day' } }),
  });
  let kafkaAdmin: Admin;
  let producer: Producer;

  before(async () => {
    await app.start();
    const kafka = createKafka(
      loadConfig(bridgeConfigSchema, process.env),
      createLogger('test-dlq-size', 'warn'),
      '-dlq-size',
    );
    kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await kafkaAdmin?.disconnect();
    await app.stop();
  });

  async function maxMessageBytes(topic: string): Promise<number> {
    const described = await kafkaAdmin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['max.message.bytes'] }],
    });
    return Number(
      described.resources[0]!.configEntries.find((entry) => entry.configName === 'max.message.bytes')!.configValue,
    );
  }

  it('writes a truncated copy that points at the original, and the partition moves on', async () => {
    const limit = await maxMessageBytes(app.dlqTopic);
    assert.equal(
      await maxMessageBytes(app.eventsTopic),
      limit,
      "the events and dead-letter topics share the broker's limit",
    );
    const customerId = `dlq-size-${runId}`;
    // The record batch around the value costs about 80 bytes; the dead-letter headers about 250.
    const value = Buffer.alloc(limit - 150, 'x');
    const [written] = await producer.send({ topic: app.eventsTopic, acks: -1, messages: [{ key: customerId, value }] });
    console.log(
      `broker limit ${limit} bytes; original value ${value.length} bytes ` +
        `at partition ${written!.partition}, offset ${written!.baseOffset}`,
    );
    await app.produce([
      {
        eventId: `after-big-${customerId}`,
        type: 'product.viewed',
        customerId,
        occurredAt: new Date().toISOString(),
        properties: { productId: 'p1', name: 'after the big one' },
      },
    ]);

    await app.waitUntilConsumed(45_000);
    const letter = await eventually(
      'the dead letter',
      () => Promise.resolve(app.deadLetters.find((entry) => entry.key === customerId)),
      Boolean,
      20_000,
    );
    assert.deepEqual(
      {
        reason: letter!.headers['dlq-reason'],
        truncated: letter!.headers['dlq-truncated'],
        topic: letter!.headers['dlq-source-topic'],
        partition: letter!.headers['dlq-source-partition'],
        offset: letter!.headers['dlq-source-offset'],
        size: letter!.headers['dlq-original-value-bytes'],
        digest: letter!.headers['dlq-original-value-sha256'],
      },
      {
        reason: 'oversized',
        truncated: 'true',
        topic: app.eventsTopic,
        partition: String(written!.partition),
        offset: written!.baseOffset,
        size: String(value.length),
        digest: createHash('sha256').update(value).digest('hex'),
      },
    );
    assert.ok(
      letter!.value !== null && letter!.value.length < 4096 && value.toString().startsWith(letter!.value),
      'the copy keeps the first bytes of the original',
    );

    const workflow = app.client.workflow.getHandle(journeyWorkflowId('browse-abandonment', customerId));
    const state = await workflow.query(journeyStateQuery);
    assert.ok(
      state.timeline.some((entry) => entry.text === 'viewed after the big one'),
      'the event behind the big one was routed',
    );
    await workflow.signal(cancelJourneySignal, { reason: 'test cleanup' });
  });
});
