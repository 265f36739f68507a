import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CAMPAIGN_TYPES, CAMPAIGNS, entryEventFor, signalsJourney, startRefusal } from '../../../contract/campaigns';
import type { EventOf } from '../../../contract/events';
import { DEFAULT_SETTINGS, settingsOverridesSchema } from '../../../contract/settings/overrides';

const meta = { eventId: 'admin-1', occurredAt: '2026-06-01T12:00:00.000Z' };
const lamp = { productId: 'lamp', name: 'Desk lamp', quantity: 1, price: 39 };

describe('campaign registry', () => {
  it('maps a post-purchase start to the order it stands for', () => {
    assert.deepEqual(
      entryEventFor('post-purchase', { customerId: 'c1', items: [lamp], total: 39, currency: 'EUR' }, meta),
      {
        ...meta,
        customerId: 'c1',
        type: 'order.placed',
        properties: { orderId: 'admin-order-admin-1', items: [lamp], total: 39, currency: 'EUR' },
      },
    );
  });

  it('maps a cart start to a cart update, naming the cart after the event when none is given', () => {
    const event = entryEventFor('cart-abandonment', { customerId: 'c1', items: [lamp] }, meta);
    assert.equal(event.type, 'cart.updated');
    assert.deepEqual(event.properties, { cartId: 'admin-cart-admin-1', items: [lamp], currency: undefined });
  });

  it('refuses a churn start under the threshold in force, and only that', () => {
    const settings = DEFAULT_SETTINGS.campaigns;
    assert.equal(startRefusal('churn-retention', { customerId: 'c1', score: 0.7 }, settings), undefined);
    assert.equal(startRefusal('churn-retention', { customerId: 'c1', score: 0.69 }, settings)?.field, 'score');
    assert.equal(startRefusal('post-purchase', { customerId: 'c1' }, settings), undefined);
  });

  it('gives every campaign defaults for each of its own overrides', () => {
    for (const campaign of CAMPAIGNS) {
      const defaults = DEFAULT_SETTINGS.campaigns[campaign.type] as unknown as Record<string, unknown>;
      for (const key of Object.keys(campaign.settings.overrides)) {
        const name = (campaign.settings.durations as readonly string[]).includes(key) ? `${key}Ms` : key;
        assert.ok(name in defaults, `${campaign.type}: no default for ${name}`);
      }
      assert.ok(campaign.type in settingsOverridesSchema.shape, `${campaign.type} takes overrides`);
    }
  });
});

describe('routing of a failed message', () => {
  const failed = (channel: 'sms' | 'email', campaign: string): EventOf<'message.failed'> => ({
    eventId: 'f1',
    customerId: 'c1',
    occurredAt: meta.occurredAt,
    type: 'message.failed',
    properties: { messageId: 'sms-1', channel, campaign, step: 'reminder-2', journeyId: 'j1', provider: 'twilio' },
  });
  const signalled = (event: EventOf<'message.failed'>) =>
    CAMPAIGN_TYPES.filter((campaign) => signalsJourney(campaign, event, DEFAULT_SETTINGS.campaigns));

  it("signals only the running journey of the failed SMS's campaign", () => {
    for (const campaign of CAMPAIGN_TYPES) assert.deepEqual(signalled(failed('sms', campaign)), [campaign]);
  });

  it('signals no journey for a failed email, or an SMS of a campaign that does not exist', () => {
    assert.deepEqual(signalled(failed('email', 'cart-abandonment')), []);
    assert.deepEqual(signalled(failed('sms', 'no-such-campaign')), []);
  });
});
