import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createAdminApp } from '../../admin/app';

describe('admin API authentication', () => {
  const token = 'a-long-enough-admin-token';
  let baseUrl = '';
  let close: () => void = () => undefined;

  before(async () => {
    const app = createAdminApp({ token, readinessChecks: [{ name: 'always-down', check: () => Promise.reject(new Error('unreachable')) }] });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());

  it('answers health checks without a token', async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    assert.equal(response.status, 200);
  });

  it('reports not ready, naming the failing dependency', async () => {
    const response = await fetch(`${baseUrl}/readyz`);
    assert.equal(response.status, 503);
    const body = (await response.json()) as { checks: Array<{ name: string; ok: boolean; error?: string }> };
    assert.deepEqual(body.checks, [{ name: 'always-down', ok: false, error: 'unreachable' }]);
  });

  it('rejects a missing token with 401 and a wrong one with 403', async () => {
    assert.equal((await fetch(`${baseUrl}/campaigns`)).status, 401);
    assert.equal((await fetch(`${baseUrl}/campaigns`, { headers: { authorization: 'Bearer wrong-token' } })).status, 403);
  });

  it('lets a valid token through', async () => {
    const response = await fetch(`${baseUrl}/no-such-route`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: string }).error, 'not_found');
  });
});
