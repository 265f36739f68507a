import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOverrides, DEFAULT_SETTINGS, parseOverrides } from '../../../contract/settings/overrides';

const parse = (overrides: object) => applyOverrides(DEFAULT_SETTINGS, parseOverrides(overrides, 'test'));
const problem = (overrides: object) => {
  try {
    parseOverrides(overrides, 'test');
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

describe('experiment settings', () => {
  it('defaults to a 10% holdout, a 7-day conversion window and no variants', () => {
    const cart = DEFAULT_SETTINGS.campaigns['cart-abandonment'];
    assert.deepEqual([cart.holdout, cart.conversionWindowMs, cart.variants], [0.1, 7 * 86_400_000, {}]);
  });

  it("takes a step's variants with their delays in milliseconds", () => {
    const cart = parse({
      'cart-abandonment': {
        holdout: 0.2,
        conversionWindow: '3 days',
        variants: {
          'reminder-2': [
            { name: 'sms', weight: 1 },
            { name: 'email', weight: 2, channel: 'email', delay: '12h' },
          ],
        },
      },
    }).campaigns['cart-abandonment'];
    assert.deepEqual([cart.holdout, cart.conversionWindowMs], [0.2, 3 * 86_400_000]);
    assert.deepEqual(cart.variants, {
      'reminder-2': [
        { name: 'sms', weight: 1 },
        { name: 'email', weight: 2, channel: 'email', delayMs: 12 * 3_600_000 },
      ],
    });
  });

  it('names the field of a variant that its step cannot send', () => {
    const twice = [
      { name: 'A', weight: 1 },
      { name: 'A', weight: 1, channel: 'sms', template: 'cart-sms' },
    ];
    const message = problem({ 'cart-abandonment': { variants: { 'reminder-1': twice } } });
    assert.match(message, /cart-abandonment\.variants\.reminder-1\.1\.name: "A" is used twice/);
    assert.match(message, /reminder-1\.1\.channel: reminder-1 is sent by email, not sms/);
    assert.match(message, /reminder-1\.1\.template: cart-sms is an sms template/);
    assert.match(
      problem({
        'churn-retention': {
          variants: {
            'day-0': [
              { name: 'A', weight: 1, delay: '1h' },
              { name: 'B', weight: 1 },
            ],
          },
        },
      }),
      /day-0\.0\.delay: day-0 is sent at once/,
    );
    assert.match(problem({ 'cart-abandonment': { variants: { nope: [] } } }), /variants: Unrecognized key: "nope"/);
    assert.match(
      problem({ 'cart-abandonment': { variants: { final: [{ name: 'A', weight: 1 }] } } }),
      /variants\.final/,
    );
    assert.match(problem({ 'cart-abandonment': { holdout: 0.7 } }), /holdout: Too big/);
    assert.match(problem({ 'browse-abandonment': { conversionWindow: '10m' } }), /conversionWindow/);
    assert.match(problem({ 'browse-abandonment': { template: 'browse-reminder' } }), /Unrecognized key/);
  });
});
