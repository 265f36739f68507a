import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exceedsCap } from '../../../platform/db/delivery-ledger';

const H = 3_600_000;
const day = (limit: number) => ({ limit, windowMs: 24 * H });

describe('the frequency cap, as windows', () => {
  it('refuses a contact less than a window from another, before or after it', () => {
    assert.equal(exceedsCap(0, [23 * H], day(1)), true);
    assert.equal(exceedsCap(0, [-23 * H], day(1)), true);
    assert.equal(exceedsCap(0, [0], day(1)), true);
  });

  it('allows contacts exactly one window apart, or more', () => {
    assert.equal(exceedsCap(0, [24 * H, -24 * H], day(1)), false);
    assert.equal(exceedsCap(0, [], day(1)), false);
  });

  it('checks every window that holds the new contact, not only the one ending at it', () => {
    assert.equal(exceedsCap(10 * H, [0, 20 * H], day(2)), true, '0 h, 10 h and 20 h share a window');
    assert.equal(exceedsCap(10 * H, [0, 30 * H], day(2)), false, '[0 h, 24 h) and [10 h, 34 h) hold two each');
    assert.equal(exceedsCap(10 * H, [-13 * H, 30 * H], day(2)), false);
    assert.equal(exceedsCap(10 * H, [-13 * H, 5 * H, 30 * H], day(2)), true, '-13 h, 5 h and 10 h share a window');
  });

  it('is off with a limit of 0', () => {
    assert.equal(exceedsCap(0, [0, 1, 2], { limit: 0, windowMs: 24 * H }), false);
  });
});
