import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaSecurity } from '../../../platform/kafka';
import {
  adminConfigSchema,
  bridgeConfigSchema,
  ConfigError,
  loadConfig,
  trackingConfigSchema,
  workerConfigSchema,
} from '../../../platform/config';

/** The one setting a worker cannot do without: the keys that sign the links in its messages. */
const signing = { TRACKING_SIGNING_KEYS: `k1:${'s'.repeat(32)}` };

describe('configuration', () => {
  it('defaults every local service to 127.0.0.1', () => {
    const bridge = loadConfig(bridgeConfigSchema, {});
    const worker = loadConfig(workerConfigSchema, signing);
    assert.deepEqual(bridge.KAFKA_BROKERS, ['127.0.0.1:9092']);
    assert.equal(bridge.TEMPORAL_ADDRESS, '127.0.0.1:7233');
    assert.match(worker.DATABASE_URL, /@127\.0\.0\.1:/);
    assert.equal(worker.SMTP_URL, 'smtp://127.0.0.1:1025');
    assert.equal(loadConfig(adminConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16) }).ADMIN_HOST, '127.0.0.1');
    assert.equal(worker.TEMPORAL_SDK_METRICS_ADDRESS, '127.0.0.1:0');
  });

  it("wants the Temporal SDK's metrics address as host:port", () => {
    const address = (value: string) =>
      loadConfig(workerConfigSchema, { ...signing, TEMPORAL_SDK_METRICS_ADDRESS: value }).TEMPORAL_SDK_METRICS_ADDRESS;
    assert.equal(address('[::1]:9466'), '[::1]:9466');
    assert.throws(() => address('9466'), /TEMPORAL_SDK_METRICS_ADDRESS: must be host:port/);
    assert.throws(() => address('127.0.0.1:70000'), /TEMPORAL_SDK_METRICS_ADDRESS: the port must be at most 65535/);
  });

  it('reads the link-signing keys: the first signs, an older one is accepted until its grace period ends', () => {
    const tracking = loadConfig(trackingConfigSchema, {
      TRACKING_SIGNING_KEYS: `k2:${'n'.repeat(32)}, k1:${'o'.repeat(32)}@2027-01-31T00:00:00Z`,
    });
    assert.deepEqual(tracking.TRACKING_SIGNING_KEYS, [
      { kid: 'k2', secret: 'n'.repeat(32), acceptedUntilMs: undefined },
      { kid: 'k1', secret: 'o'.repeat(32), acceptedUntilMs: Date.parse('2027-01-31T00:00:00Z') },
    ]);
    assert.equal(tracking.TRACKING_HOST, '127.0.0.1');
    assert.throws(() => loadConfig(workerConfigSchema, {}), /TRACKING_SIGNING_KEYS/);
    const refusals: Array<[string, RegExp]> = [
      ['k1:short', /key #1: expected kid:secret/],
      [`k1:${'a'.repeat(32)},k1:${'b'.repeat(32)}`, /each key needs a kid of its own/],
      [`k1:${'a'.repeat(32)}@2027-01-01T00:00:00Z`, /the first key signs/],
      [`k2:${'a'.repeat(32)},k1:${'b'.repeat(32)}@someday`, /key #2/],
    ];
    for (const [keys, message] of refusals) {
      assert.throws(
        () => loadConfig(trackingConfigSchema, { TRACKING_SIGNING_KEYS: keys }),
        (error: Error) => message.test(error.message) && !error.message.includes('a'.repeat(32)),
      );
    }
  });

  it("parses the deployment's campaign settings as JSON", () => {
    assert.deepEqual(
      loadConfig(bridgeConfigSchema, { CAMPAIGN_SETTINGS: '{"contact":{"frequencyCap":2}}' }).CAMPAIGN_SETTINGS,
      { contact: { frequencyCap: 2 } },
    );
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { CAMPAIGN_SETTINGS: '{oops' }),
      /CAMPAIGN_SETTINGS: not valid JSON/,
    );
  });

  it('rejects an SMTP URL without a scheme and a lease without a unit', () => {
    assert.throws(
      () => loadConfig(workerConfigSchema, { ...signing, SMTP_URL: 'localhost:1025' }),
      /SMTP_URL: expected smtp:\/\/host:port/,
    );
    assert.throws(
      () => loadConfig(workerConfigSchema, { ...signing, DELIVERY_LEASE: '90' }),
      /DELIVERY_LEASE: must be at least 60s/,
    );
    assert.equal(loadConfig(workerConfigSchema, { ...signing, DELIVERY_LEASE: '2m' }).DELIVERY_LEASE, 120_000);
  });

  it('wants all of the Twilio settings or none', () => {
    assert.equal(loadConfig(workerConfigSchema, signing).TWILIO_ACCOUNT_SID, undefined);
    assert.throws(
      () => loadConfig(workerConfigSchema, { ...signing, TWILIO_AUTH_TOKEN: 'secret-token' }),
      /TWILIO_ACCOUNT_SID: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM together/,
    );
  });

  it('names every invalid variable, without echoing secrets', () => {
    assert.throws(
      () => loadConfig(adminConfigSchema, { ADMIN_TOKEN: 'short', KAFKA_BROKERS: 'nohost' }),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /ADMIN_TOKEN: ADMIN_TOKEN must be at least 16 characters/);
        assert.match(error.message, /KAFKA_BROKERS/);
        assert.doesNotMatch(error.message, /short/);
        return true;
      },
    );
  });
});

describe('kafka security settings', () => {
  it('turns on TLS and SASL from the environment, and wants SASL credentials with a mechanism', () => {
    assert.deepEqual(kafkaSecurity(loadConfig(bridgeConfigSchema, {})), {});
    const secured = loadConfig(bridgeConfigSchema, {
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'bridge',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    assert.deepEqual(kafkaSecurity(secured), {
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'bridge', password: 'secret' },
    });
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { KAFKA_SASL_MECHANISM: 'plain' }),
      /KAFKA_SASL_USERNAME: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
      /KAFKA_SASL_MECHANISM: SASL credentials are set/,
    );
    assert.throws(
      () => loadConfig(bridgeConfigSchema, { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' }),
      /KAFKA_SSL_CA_FILE: no file at/,
    );
  });
});
