import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryKey, journeyDeliveryKeyPrefix } from '../../../contract/journeys';

describe('delivery keys', () => {
  it('never collide across customers whose IDs contain the separator', () => {
    const a = deliveryKey('cart-abandonment', 'ann:j1', 'x', 'reminder-1', 'email');
    const b = deliveryKey('cart-abandonment', 'ann', 'j1:x', 'reminder-1', 'email');
    assert.notEqual(a, b);
  });

  it('are unchanged for IDs without reserved characters, so running journeys keep their keys', () => {
    assert.equal(
      deliveryKey('cart-abandonment', 'c-42', 'evt_1', 'reminder-1', 'email'),
      'cart-abandonment:c-42:evt_1:reminder-1:email',
    );
  });

  it("start with their journey's prefix, and only theirs", () => {
    const key = deliveryKey('churn-retention', 'ann:x', 'e%1', 'day-0', 'email');
    assert.ok(key.startsWith(journeyDeliveryKeyPrefix('churn-retention', 'ann:x', 'e%1')));
    assert.ok(!key.startsWith(journeyDeliveryKeyPrefix('churn-retention', 'ann', 'x:e%1')));
  });
});
