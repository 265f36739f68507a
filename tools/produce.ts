import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Partitioners } from 'kafkajs';
import { z } from 'zod';
import { createKafka } from '../platform/kafka';
import { createLogger } from '../platform/logger';
import { produceEvents } from '../platform/event-producer';
import { loadConfigOrExit } from '../platform/run-services';
import { kafkaConfigSchema } from '../platform/config';

const usage =
  `Usage:
  npm run produce -- --event '{"eventId":"e1","type":"session.started",` +
  `"customerId":"c1","occurredAt":"2026-01-01T00:00:00Z"}'
  npm run produce -- --file events.jsonl     (one JSON event per line)
Every event is validated against the contract before anything is sent; the key is its customerId.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { event: { type: 'string' }, file: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help || (!values.event && !values.file)) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const config = loadConfigOrExit(kafkaConfigSchema.extend({ LOG_LEVEL: z.string().default('warn') }));
  const lines = values.event
    ? [values.event]
    : readFileSync(values.file!, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '');
  const events = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (error) {
      throw new Error(`line ${index + 1} is not JSON: ${(error as Error).message}`, { cause: error });
    }
  });

  const producer = createKafka(config, createLogger('produce', config.LOG_LEVEL)).producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const sent = await produceEvents(producer, config.EVENTS_TOPIC, events);
    process.stdout.write(`produced ${sent.length} event(s) to ${config.EVENTS_TOPIC}\n`);
  } finally {
    await producer.disconnect();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`produce: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
