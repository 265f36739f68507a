import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidSettingsError, resolveSettings } from '../../../contract/settings/overrides';
import { adminConfigSchema, loadConfig, workerConfigSchema } from '../../../platform/config';

const settings = (overrides: object) => resolveSettings([{ source: 'CAMPAIGN_SETTINGS', overrides }]);

describe('duration bounds', () => {
  it('refuses a campaign delay beyond a year, naming the maximum', () => {
    assert.throws(
      () => settings({ 'cart-abandonment': { firstReminderDelay: '100000000y' } }),
      (error: Error) =>
        error instanceof InvalidSettingsError &&
        /cart-abandonment\.firstReminderDelay: "100000000y" is longer than the maximum of 365d/.test(error.message),
    );
    assert.throws(
      () => settings({ contact: { frequencyWindow: 2 ** 31 * 1000 } }),
      /contact\.frequencyWindow: .* is longer than the maximum of 365d/,
    );
    assert.equal(
      settings({ 'churn-retention': { finalDelay: '365 days' } }).campaigns['churn-retention'].finalDelayMs,
      365 * 86_400_000,
    );
  });

  it('refuses a pause recheck that would spin, naming the minimum', () => {
    for (const pauseRecheck of ['0s', 0, '10ms']) {
      assert.throws(
        () => settings({ 'browse-abandonment': { pauseRecheck } }),
        /browse-abandonment\.pauseRecheck: .* is shorter than the minimum of 1s/,
        `pauseRecheck ${String(pauseRecheck)}`,
      );
    }
    assert.equal(
      settings({ 'cart-abandonment': { pauseRecheck: '1s' } }).campaigns['cart-abandonment'].pauseRecheckMs,
      1000,
    );
  });

  it('still accepts a zero delay where waiting nothing is meaningful', () => {
    assert.equal(settings({ 'browse-abandonment': { emailDelay: 0 } }).campaigns['browse-abandonment'].emailDelayMs, 0);
  });

  it('gives an admin Idempotency-Key a 60 s lease by default, between 1s and 1h', () => {
    const admin = (env: Record<string, string>) =>
      loadConfig(adminConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16), ...env });
    assert.equal(admin({}).ADMIN_IDEMPOTENCY_LEASE, 60_000);
    assert.equal(admin({ ADMIN_IDEMPOTENCY_LEASE: '5m' }).ADMIN_IDEMPOTENCY_LEASE, 300_000);
    assert.throws(
      () => admin({ ADMIN_IDEMPOTENCY_LEASE: '0s' }),
      /ADMIN_IDEMPOTENCY_LEASE: "0s" is shorter than the minimum of 1s/,
    );
    assert.throws(
      () => admin({ ADMIN_IDEMPOTENCY_LEASE: '2h' }),
      /ADMIN_IDEMPOTENCY_LEASE: "2h" is longer than the maximum of 1h/,
    );
  });

  it('refuses process durations beyond their bound, naming it', () => {
    assert.throws(
      () => loadConfig(adminConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16), ADMIN_IDEMPOTENCY_TTL: '100000000y' }),
      /ADMIN_IDEMPOTENCY_TTL: "100000000y" is longer than the maximum of/,
    );
    assert.throws(
      () => loadConfig(workerConfigSchema, { DELIVERY_LEASE: '100000000y' }),
      /DELIVERY_LEASE: "100000000y" is longer than the maximum of/,
    );
  });
});
