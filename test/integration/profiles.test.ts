import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDb, migrateToLatest, type Db } from '../../db/database';
import { applyCustomerUpdated, applyUnsubscribe, findProfile } from '../../db/profiles';
import { requireServices, runId, stackEnv } from '../support/services';

describe('customer profiles (PostgreSQL)', () => {
  let db: Db;
  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 2);
    await migrateToLatest(db);
  });
  after(async () => { await db.destroy(); });

  const at = (minute: number) => `2030-01-01T10:${String(minute).padStart(2, '0')}:00Z`;

  it('applies updates in occurredAt order: a late, older update does not roll the profile back', async () => {
    const customerId = `order-${runId}`;
    await applyCustomerUpdated(db, { eventId: 'u2', type: 'customer.updated', customerId, occurredAt: at(2), properties: { email: 'new@example.test', emailOptIn: true } });
    assert.equal(await applyCustomerUpdated(db, { eventId: 'u1', type: 'customer.updated', customerId, occurredAt: at(1), properties: { email: 'old@example.test' } }), false);
    assert.equal((await findProfile(db, customerId))?.email, 'new@example.test');
  });

  it('never loses an unsubscribe, even one that arrives after a newer profile update', async () => {
    const customerId = `unsub-${runId}`;
    await applyCustomerUpdated(db, { eventId: 'u1', type: 'customer.updated', customerId, occurredAt: at(0), properties: { email: 'a@example.test', emailOptIn: true, smsOptIn: true } });
    await applyCustomerUpdated(db, { eventId: 'u2', type: 'customer.updated', customerId, occurredAt: at(2), properties: { firstName: 'Ann' } });
    await applyUnsubscribe(db, { eventId: 'x1', type: 'customer.unsubscribed', customerId, occurredAt: at(1), properties: { channel: 'email' } });
    const profile = await findProfile(db, customerId);
    assert.deepEqual([profile?.emailOptIn, profile?.smsOptIn, profile?.firstName], [false, true, 'Ann']);
  });
});
