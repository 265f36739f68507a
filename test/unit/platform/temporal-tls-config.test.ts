import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  adminConfigSchema,
  bridgeConfigSchema,
  loadConfig,
  provisionConfigSchema,
  temporalClientConfigSchema,
  workerConfigSchema,
} from '../../../platform/config';
import { temporalConnectionOptions } from '../../../platform/temporal/connection-options';
import { createAuthority, issueCertificate, writeAuthority, type PemPair } from '../../support/tls-certificates';

const load = (env: Record<string, string>) => loadConfig(temporalClientConfigSchema, env);

/** The refusal names the variable (as `  NAME: …`) and says what is wrong. */
function refused(env: Record<string, string>, variable: string, reason: RegExp): string {
  let message = '';
  assert.throws(
    () => load(env),
    (error: Error) => {
      message = error.message;
      return true;
    },
  );
  assert.match(message, new RegExp(`^  ${variable}: `, 'm'), message);
  assert.match(message, reason);
  return message;
}

describe('Temporal TLS settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-config-'));
  let caFile = '';
  let client: PemPair;
  let other: PemPair;
  const notPem = join(dir, 'not-pem.txt');
  const brokenCertificate = join(dir, 'broken.pem');

  before(async () => {
    const authority = await createAuthority('Config Test CA');
    caFile = writeAuthority(authority, join(dir, 'ca.pem'));
    client = await issueCertificate(authority, dir, 'client', { role: 'client' });
    other = await issueCertificate(authority, dir, 'other', { role: 'client' });
    writeFileSync(notPem, 'just some text\n');
    writeFileSync(
      brokenCertificate,
      '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n',
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('connects in plaintext by default', () => {
    const options = temporalConnectionOptions(load({}));
    assert.deepEqual(options, { address: '127.0.0.1:7233', tls: undefined, apiKey: undefined });
  });

  it('turns TLS on with TEMPORAL_TLS=true (system CAs), or when a TLS file or an API key is set', () => {
    assert.deepEqual(temporalConnectionOptions(load({ TEMPORAL_TLS: 'true' })).tls, {
      serverRootCACertificate: undefined,
      clientCertPair: undefined,
      serverNameOverride: undefined,
    });
    const mtls = temporalConnectionOptions(
      load({
        TEMPORAL_TLS_CA_FILE: caFile,
        TEMPORAL_TLS_CERT_FILE: client.certFile,
        TEMPORAL_TLS_KEY_FILE: client.keyFile,
      }),
    );
    assert.deepEqual(Buffer.from(mtls.tls!.serverRootCACertificate!), readFileSync(caFile));
    assert.deepEqual(Buffer.from(mtls.tls!.clientCertPair!.crt), readFileSync(client.certFile));
    assert.deepEqual(Buffer.from(mtls.tls!.clientCertPair!.key), readFileSync(client.keyFile));
    const cloud = temporalConnectionOptions(
      load({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'k.e.y' }),
    );
    assert.equal(cloud.apiKey, 'k.e.y');
    assert.ok(cloud.tls, 'an API key implies TLS');
    assert.equal(
      temporalConnectionOptions(load({ TEMPORAL_TLS_SERVER_NAME: 'temporal.example.com' })).tls?.serverNameOverride,
      'temporal.example.com',
    );
  });

  it('refuses TEMPORAL_TLS=false with settings that need TLS, naming them', () => {
    refused(
      { TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_FILE: caFile, TEMPORAL_API_KEY: 'secret-key' },
      'TEMPORAL_TLS',
      /is false but TEMPORAL_TLS_CA_FILE, TEMPORAL_API_KEY need TLS/,
    );
    refused({ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS', /.+/);
  });

  it('says when a file is missing, not PEM, or not a certificate', () => {
    refused({ TEMPORAL_TLS_CA_FILE: join(dir, 'nowhere.pem') }, 'TEMPORAL_TLS_CA_FILE', /no file at .*nowhere\.pem/);
    refused({ TEMPORAL_TLS_CA_FILE: notPem }, 'TEMPORAL_TLS_CA_FILE', /holds no PEM certificate/);
    refused(
      { TEMPORAL_TLS_CA_FILE: brokenCertificate },
      'TEMPORAL_TLS_CA_FILE',
      /certificate #1 in .* is not a valid certificate/,
    );
    refused(
      { TEMPORAL_TLS_CERT_FILE: client.keyFile, TEMPORAL_TLS_KEY_FILE: client.keyFile },
      'TEMPORAL_TLS_CERT_FILE',
      /holds no PEM certificate/,
    );
  });

  it('wants the client certificate and its key together, never quoting the key', () => {
    refused(
      { TEMPORAL_TLS_CERT_FILE: client.certFile },
      'TEMPORAL_TLS_KEY_FILE',
      /TEMPORAL_TLS_CERT_FILE is set but TEMPORAL_TLS_KEY_FILE is not/,
    );
    refused(
      { TEMPORAL_TLS_KEY_FILE: client.keyFile },
      'TEMPORAL_TLS_CERT_FILE',
      /TEMPORAL_TLS_KEY_FILE is set but TEMPORAL_TLS_CERT_FILE is not/,
    );
    refused(
      { TEMPORAL_TLS_CERT_FILE: client.certFile, TEMPORAL_TLS_KEY_FILE: client.certFile },
      'TEMPORAL_TLS_KEY_FILE',
      /holds no PEM private key/,
    );
    const mismatch = refused(
      { TEMPORAL_TLS_CERT_FILE: client.certFile, TEMPORAL_TLS_KEY_FILE: other.keyFile },
      'TEMPORAL_TLS_KEY_FILE',
      /is not the private key of the certificate in TEMPORAL_TLS_CERT_FILE/,
    );
    const keyBody = readFileSync(other.keyFile, 'utf8').split('\n')[1]!;
    assert.ok(!mismatch.includes(keyBody), 'the key is not quoted');
  });

  it('checks TEMPORAL_TLS_SERVER_NAME and TEMPORAL_API_KEY without repeating the key', () => {
    refused(
      { TEMPORAL_TLS_SERVER_NAME: 'https://temporal.example.com' },
      'TEMPORAL_TLS_SERVER_NAME',
      /expected a DNS name/,
    );
    const message = refused({ TEMPORAL_API_KEY: 'my secret key' }, 'TEMPORAL_API_KEY', /expected a key without spaces/);
    assert.ok(!message.includes('my secret key'));
  });

  it("applies in every process's configuration", () => {
    const env = { TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'secret-key', ADMIN_TOKEN: 'x'.repeat(16) };
    const signing = { TRACKING_SIGNING_KEYS: `k1:${'s'.repeat(32)}` };
    for (const schema of [workerConfigSchema, bridgeConfigSchema, adminConfigSchema, provisionConfigSchema]) {
      assert.throws(
        () => loadConfig(schema, { ...env, ...signing }),
        /TEMPORAL_TLS: is false but TEMPORAL_API_KEY needs TLS/,
      );
    }
  });
});
