import { z } from 'zod';
import { msToNumber } from '@temporalio/common';

/**
 * The only module that reads process.env. Each process validates the slice it needs once at
 * start-up and passes the typed result down.
 */

/** A human duration such as "90s", "1h" or "3 days", parsed to milliseconds. */
const durationMs = z.string().transform((text, ctx) => {
  try {
    const ms = msToNumber(text as Parameters<typeof msToNumber>[0]);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (try "30s", "1h", "3 days")` });
  return z.NEVER;
});

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');

const temporalSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('campaigns'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
});

export const kafkaConfigSchema = z.object({
  KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092')
    .transform((list) => list.split(',').map((broker) => broker.trim()).filter(Boolean))
    .pipe(z.array(hostPort).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).default('triggered-campaigns'),
  KAFKA_GROUP_ID: z.string().min(1).default('campaign-bridge'),
  EVENTS_TOPIC: z.string().min(1).default('customer-events'),
  DLQ_TOPIC: z.string().min(1).default('customer-events.dlq'),
  EVENTS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
});

const databaseSchema = z.object({
  DATABASE_URL: z.url().default('postgres://campaigns:campaigns@127.0.0.1:5433/campaigns'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
});

const emailSchema = z.object({
  SMTP_URL: z.url().default('smtp://127.0.0.1:1025'),
  SMTP_POOL: z.stringbool().default(true),
  EMAIL_FROM: z.string().min(3).default('Storefront <hello@storefront.example>'),
  MESSAGE_ID_DOMAIN: z.string().min(1).default('campaigns.storefront.example'),
});

const campaignSchema = z.object({
  CART_REMINDER_DELAY: durationMs.prefault('1h'),
});

const adminSchema = z.object({
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters'),
});

const logSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const workerConfigSchema = logSchema.extend(temporalSchema.shape).extend(databaseSchema.shape)
  .extend(emailSchema.shape);
export const bridgeConfigSchema = logSchema.extend(temporalSchema.shape).extend(kafkaConfigSchema.shape)
  .extend(databaseSchema.shape).extend(campaignSchema.shape);
export const adminConfigSchema = logSchema.extend(temporalSchema.shape).extend(databaseSchema.shape)
  .extend(kafkaConfigSchema.shape).extend(adminSchema.shape);
export const provisionConfigSchema = logSchema.extend(temporalSchema.shape).extend(kafkaConfigSchema.shape)
  .extend(databaseSchema.shape);

export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;
export type AdminConfig = z.infer<typeof adminConfigSchema>;
export type ProvisionConfig = z.infer<typeof provisionConfigSchema>;
export type TemporalConfig = z.infer<typeof temporalSchema>;
export type KafkaConfig = z.infer<typeof kafkaConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates the environment against a schema; the error lists every bad variable by name. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
}
