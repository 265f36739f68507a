import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SETTINGS, InvalidSettingsError, resolveSettings } from '../../../contract/settings/overrides';

describe('campaign settings', () => {
  it('defaults to the product semantics', () => {
    const cart = DEFAULT_SETTINGS.campaigns['cart-abandonment'];
    assert.deepEqual(
      [cart.firstReminderDelayMs, cart.secondReminderDelayMs, cart.finalReminderDelayMs, cart.cooldownMs],
      [3_600_000, 86_400_000, 259_200_000, 604_800_000],
    );
    assert.equal(DEFAULT_SETTINGS.campaigns['churn-retention'].threshold, 0.7);
    assert.deepEqual(DEFAULT_SETTINGS.contact.quietHours.sms, { start: '21:00', end: '09:00' });
    assert.equal(DEFAULT_SETTINGS.contact.frequencyCap, 1);
  });

  it('layers overrides in order, written as human durations, leaving the rest alone', () => {
    const resolved = resolveSettings([
      {
        source: 'deployment',
        overrides: {
          'cart-abandonment': { firstReminderDelay: '10s', incentiveCode: 'HELLO' },
          contact: { quietHours: { sms: null } },
        },
      },
      {
        source: 'operator',
        overrides: { 'cart-abandonment': { firstReminderDelay: '2 hours' }, 'churn-retention': { threshold: 0.9 } },
      },
    ]);
    const cart = resolved.campaigns['cart-abandonment'];
    assert.equal(cart.firstReminderDelayMs, 7_200_000);
    assert.equal(cart.incentiveCode, 'HELLO');
    assert.equal(cart.secondReminderDelayMs, 86_400_000);
    assert.equal(resolved.campaigns['churn-retention'].threshold, 0.9);
    assert.equal(resolved.contact.quietHours.sms, null);
    assert.equal(resolved.contact.quietHours.email, null);
  });

  it('names the setting and the source of a bad override', () => {
    assert.throws(
      () =>
        resolveSettings([
          { source: 'CAMPAIGN_SETTINGS', overrides: { 'cart-abandonment': { firstReminderDelay: 'soonish' } } },
        ]),
      (error: Error) =>
        error instanceof InvalidSettingsError &&
        /CAMPAIGN_SETTINGS: cart-abandonment\.firstReminderDelay: "soonish" is not a duration/.test(error.message),
    );
    assert.throws(
      () =>
        resolveSettings([
          { source: 'db', overrides: { contact: { quietHours: { sms: { start: '25:00', end: '09:00' } } } } },
        ]),
      /contact\.quietHours\.sms\.start/,
    );
    assert.throws(
      () => resolveSettings([{ source: 'db', overrides: { 'cart-abandonment': { firstReminderDelayz: '1h' } } }]),
      /firstReminderDelayz/,
    );
  });

  it("refuses a continue-as-new threshold under a fresh run's own first events (a journey would spin)", () => {
    assert.throws(
      () =>
        resolveSettings([
          { source: 'CAMPAIGN_SETTINGS', overrides: { 'browse-abandonment': { continueAsNewAfterEvents: 10 } } },
        ]),
      /CAMPAIGN_SETTINGS: browse-abandonment\.continueAsNewAfterEvents: .*at least 50/,
    );
    const smallest = resolveSettings([
      { source: 'operator', overrides: { 'browse-abandonment': { continueAsNewAfterEvents: 50 } } },
    ]);
    assert.equal(smallest.campaigns['browse-abandonment'].continueAsNewAfterEvents, 50);
  });
});
