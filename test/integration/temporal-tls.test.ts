/**
 * Temporal over TLS, for real: nginx (infra/temporal-tls-proxy.sh) terminates TLS in front of the
 * local Temporal server on two ports of its own, one that wants a client certificate (mTLS) and one
 * that wants `authorization: Bearer <key>` (as Temporal Cloud's API keys). The certificates are made
 * here: a CA, the proxy's certificate (for 127.0.0.1 and temporal.campaigns.test), a client
 * certificate from the CA, one from another CA and one that has expired.
 *
 * Both kinds of connection the app makes are tried: the client's (grpc-js, `connectTemporal`) and
 * the worker's (Rust core, `connectNativeTemporal`), each from options built by the app's own
 * config. Each failure must say what to check, by variable name.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, temporalClientConfigSchema } from '../../platform/config';
import { TemporalConnectError } from '../../platform/temporal/connect-failure';
import { connectTemporal } from '../../platform/temporal/connection';
import { temporalConnectionOptions, type TemporalConnectionOptions } from '../../platform/temporal/connection-options';
import { connectNativeTemporal } from '../../workers/native-connection';
import { requireServices, stackEnv } from '../support/services';
import { createAuthority, issueCertificate, writeAuthority, type PemPair } from '../support/tls-certificates';
import { freePort } from '../support/ports';

const PROXY = 'infra/temporal-tls-proxy.sh';
const SERVER_NAME = 'temporal.campaigns.test';
const NAMESPACE = 'default';

function installNginx(): void {
  try {
    execFileSync('bash', [PROXY, 'install'], { stdio: 'pipe' });
  } catch (error) {
    const output = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(
      `this test needs nginx as a TLS proxy and could not install it (${output}). Install it with ` +
        '`sudo apt-get install -y nginx-light`, or run `bash infra/temporal-tls-proxy.sh install` as root.',
      { cause: error },
    );
  }
}

/** Connects the client's way and the worker's way, and asks each for the namespace. */
async function describeNamespaceBothWays(options: TemporalConnectionOptions): Promise<string[]> {
  const client = await connectTemporal(options);
  const native = await connectNativeTemporal(options);
  try {
    return [
      (await client.workflowService.describeNamespace({ namespace: NAMESPACE })).namespaceInfo?.name ?? '',
      (await native.workflowService.describeNamespace({ namespace: NAMESPACE })).namespaceInfo?.name ?? '',
    ];
  } finally {
    await client.close();
    await native.close();
  }
}

/** Both ways fail with a TemporalConnectError whose message matches every pattern. */
async function refusedBothWays(options: TemporalConnectionOptions, ...patterns: RegExp[]): Promise<string[]> {
  const messages: string[] = [];
  for (const connect of [connectTemporal, connectNativeTemporal]) {
    await assert.rejects(
      () => connect(options),
      (error: Error) => {
        assert.ok(error instanceof TemporalConnectError, `${connect.name}: ${error.stack}`);
        for (const pattern of patterns) assert.match(error.message, pattern, connect.name);
        messages.push(error.message);
        return true;
      },
    );
  }
  return messages;
}

describe('Temporal over TLS (nginx in front of the local server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'temporal-tls-'));
  const apiKey = randomBytes(24).toString('hex');
  let mtlsAddress = '';
  let apiKeyAddress = '';
  let caFile = '';
  let otherCaFile = '';
  let client: PemPair;
  let foreignClient: PemPair;
  let expiredClient: PemPair;
  let proxyStarted = false;

  /** Options built the way every process builds them, from its environment. */
  const optionsFrom = (env: Record<string, string>): TemporalConnectionOptions => ({
    ...temporalConnectionOptions(loadConfig(temporalClientConfigSchema, env)),
    // Short: grpc-js reports a failed handshake only when this runs out.
    connectTimeout: 1500,
  });
  const mtls = (pair: PemPair | undefined, env: Record<string, string> = {}) =>
    optionsFrom({
      TEMPORAL_ADDRESS: mtlsAddress,
      TEMPORAL_TLS_CA_FILE: caFile,
      ...(pair ? { TEMPORAL_TLS_CERT_FILE: pair.certFile, TEMPORAL_TLS_KEY_FILE: pair.keyFile } : {}),
      ...env,
    });

  before(async () => {
    await requireServices(['temporal']);
    installNginx();
    const authority = await createAuthority('Campaigns Test CA');
    const otherAuthority = await createAuthority('Some Other CA');
    caFile = writeAuthority(authority, join(dir, 'ca.pem'));
    otherCaFile = writeAuthority(otherAuthority, join(dir, 'other-ca.pem'));
    const server = await issueCertificate(authority, dir, 'proxy', {
      role: 'server',
      dnsNames: [SERVER_NAME],
      ips: ['127.0.0.1'],
    });
    copyFileSync(server.certFile, join(dir, 'server.pem'));
    copyFileSync(server.keyFile, join(dir, 'server-key.pem'));
    client = await issueCertificate(authority, dir, 'client', { role: 'client' });
    foreignClient = await issueCertificate(otherAuthority, dir, 'foreign-client', { role: 'client' });
    expiredClient = await issueCertificate(authority, dir, 'expired-client', { role: 'client', validDays: -1 });
    writeFileSync(join(dir, 'api-key'), apiKey, { mode: 0o600 });

    const [mtlsPort, apiKeyPort] = [await freePort(), await freePort()];
    execFileSync('bash', [PROXY, 'start', dir, String(mtlsPort), String(apiKeyPort)], { stdio: 'pipe' });
    proxyStarted = true;
    mtlsAddress = `127.0.0.1:${mtlsPort}`;
    apiKeyAddress = `127.0.0.1:${apiKeyPort}`;
  });

  after(() => {
    if (proxyStarted) execFileSync('bash', [PROXY, 'stop'], { stdio: 'inherit' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with a client certificate (mTLS), the client way and the worker way', async () => {
    assert.deepEqual(await describeNamespaceBothWays(mtls(client)), [NAMESPACE, NAMESPACE]);
  });

  it('checks the server certificate against TEMPORAL_TLS_SERVER_NAME when it is set', async () => {
    const named = mtls(client, { TEMPORAL_TLS_SERVER_NAME: SERVER_NAME });
    assert.equal(named.tls?.serverNameOverride, SERVER_NAME);
    assert.deepEqual(await describeNamespaceBothWays(named), [NAMESPACE, NAMESPACE]);
    await refusedBothWays(
      mtls(client, { TEMPORAL_TLS_SERVER_NAME: 'elsewhere.campaigns.test' }),
      /over TLS: the server's certificate is not for the name connected to/,
      /elsewhere\.campaigns\.test/,
      /set TEMPORAL_TLS_SERVER_NAME/,
    );
  });

  it('connects with an API key, and names TEMPORAL_API_KEY when the key is wrong or missing', async () => {
    const withKey = (key?: string) =>
      optionsFrom({
        TEMPORAL_ADDRESS: apiKeyAddress,
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_CA_FILE: caFile,
        ...(key ? { TEMPORAL_API_KEY: key } : {}),
      });
    assert.deepEqual(await describeNamespaceBothWays(withKey(apiKey)), [NAMESPACE, NAMESPACE]);
    const wrong = await refusedBothWays(
      withKey('not-the-key'),
      /the server refused the API key: check TEMPORAL_API_KEY/,
    );
    assert.ok(
      wrong.every((message) => !message.includes('not-the-key')),
      'the key is not repeated',
    );
    await refusedBothWays(withKey(), /the server wants credentials: set TEMPORAL_API_KEY/);
  });

  it('names TEMPORAL_TLS_CA_FILE when the server certificate is not signed by the CA in it', async () => {
    await refusedBothWays(
      mtls(client, { TEMPORAL_TLS_CA_FILE: otherCaFile }),
      new RegExp(`^cannot connect to Temporal at ${mtlsAddress} over TLS: the server's certificate is not trusted`),
      /check TEMPORAL_TLS_CA_FILE/,
    );
  });

  it('names TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE when the server wants a client certificate', async () => {
    await refusedBothWays(
      mtls(undefined),
      /the server wants a client certificate: set TEMPORAL_TLS_CERT_FILE and TEMPORAL_TLS_KEY_FILE/,
    );
  });

  it('says when the client certificate has expired, and since when', async () => {
    await refusedBothWays(
      mtls(expiredClient),
      /the client certificate in TEMPORAL_TLS_CERT_FILE expired on \d{4}-\d\d-\d\dT[\d:.]+Z: renew it/,
    );
  });

  it('says when the server at TEMPORAL_ADDRESS does not speak TLS', async () => {
    await refusedBothWays(
      optionsFrom({ TEMPORAL_ADDRESS: stackEnv.temporal, TEMPORAL_TLS: 'true' }),
      /over TLS: the server does not speak TLS there \(wrong version number\): check TEMPORAL_ADDRESS/,
    );
  });

  it('says when the client certificate comes from a CA the server does not trust', async () => {
    await refusedBothWays(
      mtls(foreignClient),
      /the server refused the client certificate in TEMPORAL_TLS_CERT_FILE \(issued by CN=Some Other CA\)/,
    );
  });
});
