import { existsSync } from 'node:fs';
import { z } from 'zod';
import { durationMs, durationWithin } from '../contract/schemas';
import { PemError, readCertificates, readPrivateKey } from './pem';

/**
 * The only module that reads process.env. Each process validates the slice it needs once at
 * start-up and passes the typed result down.
 */

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port');

/** A path whose file must check out at start-up; the problem (no file, not PEM) becomes the variable's issue. */
const checkedFile = (check: (path: string) => unknown) =>
  z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      try {
        check(path);
      } catch (error) {
        if (!(error instanceof PemError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    });

export const temporalConfigSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('campaigns'),
  TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
  /**
   * Connect to Temporal over TLS. Unset: on when any other TEMPORAL_TLS_* setting or TEMPORAL_API_KEY is set;
   * false together with them is refused rather than ignored.
   */
  TEMPORAL_TLS: z.stringbool().optional(),
  /** PEM file of the CA that signed the server's certificate; the system's CAs when unset. */
  TEMPORAL_TLS_CA_FILE: checkedFile(readCertificates).optional(),
  /** PEM client certificate for mTLS (chain allowed), with TEMPORAL_TLS_KEY_FILE: both or neither. */
  TEMPORAL_TLS_CERT_FILE: checkedFile(readCertificates).optional(),
  /** PEM private key of TEMPORAL_TLS_CERT_FILE, unencrypted. */
  TEMPORAL_TLS_KEY_FILE: checkedFile(readPrivateKey).optional(),
  /** The name to check the server's certificate against (and send as SNI) instead of TEMPORAL_ADDRESS's host. */
  TEMPORAL_TLS_SERVER_NAME: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'expected a DNS name such as temporal.example.com')
    .optional(),
  /** Temporal Cloud API key, sent as `Authorization: Bearer <key>`; needs TLS. */
  TEMPORAL_API_KEY: z.string().regex(/^\S+$/, 'expected a key without spaces').optional(),
});

type TemporalTlsSettings = Omit<
  TemporalConfig,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'TEMPORAL_UI_URL'
>;

/** TLS settings that only make sense together, or with TLS on. */
const temporalTlsConsistent = (config: TemporalTlsSettings, ctx: z.RefinementCtx) => {
  const needingTls = (
    [
      'TEMPORAL_TLS_CA_FILE',
      'TEMPORAL_TLS_CERT_FILE',
      'TEMPORAL_TLS_KEY_FILE',
      'TEMPORAL_TLS_SERVER_NAME',
      'TEMPORAL_API_KEY',
    ] as const
  ).filter((name) => config[name] !== undefined);
  if (config.TEMPORAL_TLS === false && needingTls.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['TEMPORAL_TLS'],
      message:
        `is false but ${needingTls.join(', ')} ${needingTls.length === 1 ? 'needs' : 'need'} TLS: ` +
        'unset TEMPORAL_TLS (or set it to true), or unset them',
    });
  }
  const { TEMPORAL_TLS_CERT_FILE: certFile, TEMPORAL_TLS_KEY_FILE: keyFile } = config;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    ctx.addIssue({
      code: 'custom',
      path: [certFile ? 'TEMPORAL_TLS_KEY_FILE' : 'TEMPORAL_TLS_CERT_FILE'],
      message: certFile
        ? 'TEMPORAL_TLS_CERT_FILE is set but TEMPORAL_TLS_KEY_FILE is not: a client certificate needs its key'
        : 'TEMPORAL_TLS_KEY_FILE is set but TEMPORAL_TLS_CERT_FILE is not: a client key needs its certificate',
    });
  }
  if (certFile && keyFile) {
    try {
      if (!readCertificates(certFile)[0]!.checkPrivateKey(readPrivateKey(keyFile))) {
        ctx.addIssue({
          code: 'custom',
          path: ['TEMPORAL_TLS_KEY_FILE'],
          message: `is not the private key of the certificate in TEMPORAL_TLS_CERT_FILE (${certFile})`,
        });
      }
    } catch (error) {
      // The file's own check has said what is wrong with it.
      if (!(error instanceof PemError)) throw error;
    }
  }
};

/** The Temporal settings alone, for code that only talks to Temporal. */
export const temporalClientConfigSchema = temporalConfigSchema.superRefine(temporalTlsConsistent);

export const kafkaConfigSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .default('127.0.0.1:9092')
    .transform((list) =>
      list
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    )
    .pipe(z.array(hostPort).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).default('triggered-campaigns'),
  KAFKA_GROUP_ID: z.string().min(1).default('campaign-bridge'),
  EVENTS_TOPIC: z.string().min(1).default('customer-events'),
  DLQ_TOPIC: z.string().min(1).default('customer-events.dlq'),
  EVENTS_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(6),
  KAFKA_SSL: z.stringbool().default(false),
  /** PEM file of the CA that signed the brokers' certificates; the system's CAs when unset. */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
});

const databaseSchema = z.object({
  DATABASE_URL: z.url().default('postgres://campaigns:campaigns@127.0.0.1:5433/campaigns'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
});

const jsonObject = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not valid JSON: ${(error as Error).message}` });
    return z.NEVER;
  }
});

const emailSchema = z.object({
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'expected smtp://host:port or smtps://user:password@host:port' })
    .default('smtp://127.0.0.1:1025'),
  SMTP_POOL: z.stringbool().default(true),
  EMAIL_FROM: z.string().min(3).default('Storefront <hello@storefront.example>'),
  /** At most 80 characters: a Message-ID must fit the 128 characters the event contract allows an ID. */
  MESSAGE_ID_DOMAIN: z.string().min(1).max(80).default('campaigns.storefront.example'),
  STORE_URL: z.url().default('https://storefront.example'),
  /** How long a send may stay unconfirmed before a retry treats it as interrupted (and does not resend). */
  DELIVERY_LEASE: durationMs
    .prefault('90s')
    .refine((ms) => ms >= 60_000, 'must be at least 60s, longer than a send can take (give a unit: "90s")'),
});

export const smsSchema = z.object({
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'expected an account SID such as AC followed by 32 hex digits')
    .optional(),
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  TWILIO_FROM: z
    .string()
    .regex(/^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/, 'expected an E.164 sender number or a Messaging Service SID')
    .optional(),
  TWILIO_API_BASE_URL: z.url().optional(),
});

const settingsSchema = z.object({
  /** JSON overrides of the campaign defaults for this deployment (see contract/settings/overrides.ts). */
  CAMPAIGN_SETTINGS: jsonObject.optional(),
});

const adminSchema = z.object({
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must be at least 16 characters'),
  /** Requests per minute from one client address before 429. */
  ADMIN_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** How long an Idempotency-Key and its answer are kept. */
  ADMIN_IDEMPOTENCY_TTL: durationMs.prefault('24h'),
  /** How long a key's first request may run; past it, a crashed request's key can be claimed again. */
  ADMIN_IDEMPOTENCY_LEASE: durationWithin(1000, 3_600_000).prefault('60s'),
  /** How long to wait for a workflow's live state (a journey's, a launch's) before answering without it. */
  ADMIN_QUERY_TIMEOUT: durationWithin(100, 60_000).prefault('5s'),
});

/**
 * `kid:secret` pairs, comma-separated; the first signs, every one verifies. An older key listed with
 * `@<ISO instant>` after its secret is accepted until then, the grace period of a rotation:
 * `k2:<new secret>,k1:<old secret>@2027-01-31T00:00:00Z`.
 */
export const signingKeysSchema = z
  .string()
  .min(1)
  .transform((text, ctx) => {
    const keys = text.split(',').map((entry) => {
      const match = /^([A-Za-z0-9]{1,8}):([^@\s]+)(?:@(.+))?$/.exec(entry.trim());
      if (!match) return null;
      const until = match[3] === undefined ? undefined : Date.parse(match[3]);
      return { kid: match[1]!, secret: match[2]!, acceptedUntilMs: until };
    });
    const problem = keys.findIndex(
      (key) =>
        key === null ||
        key.secret.length < 32 ||
        (key.acceptedUntilMs !== undefined && Number.isNaN(key.acceptedUntilMs)),
    );
    if (problem >= 0) {
      ctx.addIssue({
        code: 'custom',
        message:
          `key #${problem + 1}: expected kid:secret (kid 1-8 letters or digits, secret at least 32 characters), ` +
          `optionally followed by @<ISO instant> for an older key's grace period`,
      });
      return z.NEVER;
    }
    const valid = keys as Array<{ kid: string; secret: string; acceptedUntilMs: number | undefined }>;
    if (new Set(valid.map((key) => key.kid)).size !== valid.length) {
      ctx.addIssue({ code: 'custom', message: 'each key needs a kid of its own' });
      return z.NEVER;
    }
    if (valid[0]!.acceptedUntilMs !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'the first key signs: it cannot have an @ grace period' });
      return z.NEVER;
    }
    return valid;
  });
export type SigningKey = z.infer<typeof signingKeysSchema>[number];

/** Links, the open pixel and unsubscribes in sent messages, served by the tracking service (docs/FEEDBACK.md). */
const trackedLinksSchema = z.object({
  /** Where customers reach the tracking service; the links in messages start with it. */
  TRACKING_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8090'),
  TRACKING_SIGNING_KEYS: signingKeysSchema,
  /** How long a click link or open pixel in a message works. */
  TRACKING_LINK_TTL: durationMs.prefault('90d'),
  /** How long an unsubscribe link (and its List-Unsubscribe URL) works. */
  TRACKING_UNSUBSCRIBE_TTL: durationMs.prefault('365d'),
});

const trackingServiceSchema = z.object({
  TRACKING_HOST: z.string().min(1).default('127.0.0.1'),
  TRACKING_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  /** Where the tracking service serves /metrics: apart from its public port, for Prometheus only. */
  TRACKING_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** 0 picks a free port. */
  TRACKING_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9466),
  /** Requests per minute from one client address before 429. */
  TRACKING_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(300),
  /**
   * Express's `trust proxy`: the number of proxies (a CDN, a load balancer) in front, so that the
   * rate limit counts the client's address; 0 when the service is reached directly.
   */
  TRACKING_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  /** SendGrid's Signed Event Webhook verification key (base64, from its settings); unset: the endpoint answers 404. */
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(40).optional(),
  /** How old a signed SendGrid request may be before it is refused as a replay. */
  SENDGRID_WEBHOOK_MAX_AGE: durationWithin(1_000, 86_400_000).prefault('10m'),
});

/** OpenTelemetry traces from the Kafka message to the provider call (docs/OPERATIONS.md#traces). */
export const tracingSchema = z.object({
  /** OTLP/HTTP endpoint of the trace collector (Jaeger, an OpenTelemetry Collector…); no traces when unset. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The service name on this process's spans; each process has its own default. */
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
  /** The share of traces started here that are kept; a trace started upstream keeps its producer's decision. */
  TRACES_SAMPLE_RATIO: z.coerce.number().min(0).max(1).default(1),
});

export const logSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Twilio settings come as a set: all three, or none to send no SMS. */
const twilioComplete = (config: z.infer<typeof smsSchema>, ctx: z.RefinementCtx) => {
  const twilio = [config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, config.TWILIO_FROM];
  if (twilio.some(Boolean) && !twilio.every(Boolean)) {
    ctx.addIssue({
      code: 'custom',
      path: ['TWILIO_ACCOUNT_SID'],
      message: 'set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM together (or none, to send no SMS)',
    });
  }
};

const workerTuningSchema = z.object({
  /**
   * Journeys kept in the worker's memory between tasks. Journeys spend days waiting, so a small
   * cache costs a short replay when a timer fires and keeps memory flat (docs/PERFORMANCE.md).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(200),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** The worker's /metrics port (delivery incidents such as refused credentials); 0 picks a free one. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /**
   * Where the Temporal SDK's own Prometheus exporter listens (`host:port`; port 0 picks a free one).
   * The worker's /metrics includes its series, so it need not be reachable from elsewhere.
   */
  TEMPORAL_SDK_METRICS_ADDRESS: z
    .string()
    .regex(/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:0')
    .refine((address) => Number(address.slice(address.lastIndexOf(':') + 1)) <= 65535, 'the port must be at most 65535')
    .default('127.0.0.1:0'),
});

export const workerConfigSchema = logSchema
  .extend(temporalConfigSchema.shape)
  .extend(databaseSchema.shape)
  .extend(emailSchema.shape)
  .extend(smsSchema.shape)
  .extend(trackedLinksSchema.shape)
  .extend(settingsSchema.shape)
  .extend(workerTuningSchema.shape)
  .extend(tracingSchema.shape)
  .superRefine(temporalTlsConsistent)
  .superRefine(twilioComplete);
const metricsSchema = z.object({
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** The bridge's /metrics port; 0 picks a free one. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
});

/** The broker's default group.min.session.timeout.ms and group.max.session.timeout.ms. */
const consumerGroupSchema = z.object({
  /** How long the group waits for a silent bridge (killed, frozen) before giving its partitions to another. */
  KAFKA_SESSION_TIMEOUT: durationWithin(6_000, 1_800_000).prefault('6s'),
  KAFKA_HEARTBEAT_INTERVAL: durationWithin(100, 600_000).prefault('1s'),
});

const heartbeatWithinSession = (config: z.infer<typeof consumerGroupSchema>, ctx: z.RefinementCtx) => {
  if (config.KAFKA_HEARTBEAT_INTERVAL * 3 > config.KAFKA_SESSION_TIMEOUT) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_HEARTBEAT_INTERVAL'],
      message:
        `must be at most a third of KAFKA_SESSION_TIMEOUT (${config.KAFKA_SESSION_TIMEOUT} ms), ` +
        `so that one lost heartbeat does not cost the partitions`,
    });
  }
};

type KafkaSecuritySettings = Pick<
  KafkaConfig,
  'KAFKA_SSL' | 'KAFKA_SSL_CA_FILE' | 'KAFKA_SASL_MECHANISM' | 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD'
>;

/** Kafka security settings that would otherwise be ignored silently, or fail later with a raw error. */
const saslComplete = (config: KafkaSecuritySettings, ctx: z.RefinementCtx) => {
  if (config.KAFKA_SASL_MECHANISM && !(config.KAFKA_SASL_USERNAME && config.KAFKA_SASL_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_SASL_USERNAME'],
      message: 'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    });
  }
  if (!config.KAFKA_SASL_MECHANISM && (config.KAFKA_SASL_USERNAME || config.KAFKA_SASL_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_SASL_MECHANISM'],
      message: 'SASL credentials are set but KAFKA_SASL_MECHANISM is not (plain, scram-sha-256 or scram-sha-512)',
    });
  }
  if (config.KAFKA_SSL_CA_FILE && !config.KAFKA_SSL) {
    ctx.addIssue({
      code: 'custom',
      path: ['KAFKA_SSL'],
      message: 'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true',
    });
  }
  if (config.KAFKA_SSL_CA_FILE && !existsSync(config.KAFKA_SSL_CA_FILE)) {
    ctx.addIssue({ code: 'custom', path: ['KAFKA_SSL_CA_FILE'], message: `no file at ${config.KAFKA_SSL_CA_FILE}` });
  }
};

const eventContractSchema = z.object({
  /**
   * How far ahead of the bridge's clock an event's occurredAt may be; later events are
   * dead-lettered (opt-outs still apply).
   */
  EVENT_MAX_FUTURE_SKEW: durationMs
    .prefault('5m')
    .refine((ms) => ms <= 3_600_000, 'must be at most 1h: a clock further ahead is a fault to fix, not to absorb'),
});

const bridgeThroughputSchema = z.object({
  /**
   * How many customers of one partition the bridge handles at once; one customer's events stay in
   * order, and offsets are committed only up to the oldest message not yet acknowledged.
   */
  BRIDGE_CUSTOMERS_IN_FLIGHT: z.coerce.number().int().min(1).max(1_000).default(32),
  /** The most events of one customer delivered to a journey in one call (1 turns coalescing off). */
  BRIDGE_MAX_COALESCED_EVENTS: z.coerce.number().int().min(1).max(500).default(50),
});

export const bridgeConfigSchema = logSchema
  .extend(temporalConfigSchema.shape)
  .extend(kafkaConfigSchema.shape)
  .extend(databaseSchema.shape)
  .extend(settingsSchema.shape)
  .extend(metricsSchema.shape)
  .extend(eventContractSchema.shape)
  .extend(consumerGroupSchema.shape)
  .extend(bridgeThroughputSchema.shape)
  .extend(tracingSchema.shape)
  .superRefine(temporalTlsConsistent)
  .superRefine(saslComplete)
  .superRefine(heartbeatWithinSession);
export const adminConfigSchema = logSchema
  .extend(temporalConfigSchema.shape)
  .extend(databaseSchema.shape)
  .extend(kafkaConfigSchema.shape)
  .extend(adminSchema.shape)
  .extend(emailSchema.shape)
  /** Previews and test sends show a placeholder unsubscribe link on the tracking service. */
  .extend(trackedLinksSchema.pick({ TRACKING_PUBLIC_URL: true }).shape)
  .extend(smsSchema.shape)
  .extend(settingsSchema.shape)
  .extend(tracingSchema.shape)
  .superRefine(temporalTlsConsistent)
  .superRefine(saslComplete)
  .superRefine(twilioComplete);
export const trackingConfigSchema = logSchema
  .extend(kafkaConfigSchema.shape)
  .extend(databaseSchema.shape)
  .extend(trackedLinksSchema.shape)
  .extend(trackingServiceSchema.shape)
  .extend(smsSchema.pick({ TWILIO_AUTH_TOKEN: true }).shape)
  .superRefine(saslComplete);
export const provisionConfigSchema = logSchema
  .extend(temporalConfigSchema.shape)
  .extend(kafkaConfigSchema.shape)
  .extend(databaseSchema.shape)
  .superRefine(temporalTlsConsistent);

export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type BridgeConfig = z.infer<typeof bridgeConfigSchema>;
export type AdminConfig = z.infer<typeof adminConfigSchema>;
export type ProvisionConfig = z.infer<typeof provisionConfigSchema>;
export type TrackingConfig = z.infer<typeof trackingConfigSchema>;
export type TrackedLinksConfig = z.infer<typeof trackedLinksSchema>;
export type TemporalConfig = z.infer<typeof temporalConfigSchema>;
export type KafkaConfig = z.infer<typeof kafkaConfigSchema>;
export type TracingConfig = z.infer<typeof tracingSchema>;
/** What the email and SMS channels need. */
export type ChannelConfig = z.infer<typeof emailSchema> & z.infer<typeof smsSchema>;

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
