import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { parseEvent, type EventOf } from '../../contract/events';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import { applyCustomerUpdated, applyOperatorChanges, applyUnsubscribe, findProfile } from '../../platform/db/profiles';
import { requireServices, runId, stackEnv } from '../support/services';

describe('customer profiles (PostgreSQL)', () => {
  let db: Db;
  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 2);
    await migrateToLatest(db);
  });
  after(async () => {
    await db.destroy();
  });

  const at = (minute: number) => `2030-01-01T10:${String(minute).padStart(2, '0')}:00Z`;
  const updated = (
    customerId: string,
    eventId: string,
    occurredAt: string,
    properties: EventOf<'customer.updated'>['properties'],
  ): EventOf<'customer.updated'> => ({ eventId, type: 'customer.updated', customerId, occurredAt, properties });

  it('applies updates in occurredAt order: a late, older update does not roll the profile back', async () => {
    const customerId = `order-${runId}`;
    await applyCustomerUpdated(db, {
      eventId: 'u2',
      type: 'customer.updated',
      customerId,
      occurredAt: at(2),
      properties: { email: 'new@example.test', emailOptIn: true },
    });
    assert.equal(
      await applyCustomerUpdated(db, {
        eventId: 'u1',
        type: 'customer.updated',
        customerId,
        occurredAt: at(1),
        properties: { email: 'old@example.test' },
      }),
      false,
    );
    assert.equal((await findProfile(db, customerId))?.email, 'new@example.test');
  });

  it('never loses an unsubscribe, even one that arrives after a newer profile update', async () => {
    const customerId = `unsub-${runId}`;
    await applyCustomerUpdated(db, {
      eventId: 'u1',
      type: 'customer.updated',
      customerId,
      occurredAt: at(0),
      properties: { email: 'a@example.test', emailOptIn: true, smsOptIn: true },
    });
    await applyCustomerUpdated(db, {
      eventId: 'u2',
      type: 'customer.updated',
      customerId,
      occurredAt: at(2),
      properties: { firstName: 'Ann' },
    });
    await applyUnsubscribe(db, {
      eventId: 'x1',
      type: 'customer.unsubscribed',
      customerId,
      occurredAt: at(1),
      properties: { channel: 'email' },
    });
    const profile = await findProfile(db, customerId);
    assert.deepEqual([profile?.emailOptIn, profile?.smsOptIn, profile?.firstName], [false, true, 'Ann']);
  });

  describe('every occurredAt the contract accepts is storable, and compares as the instant it names', () => {
    const now = Date.parse('2030-01-01T12:00:00Z');
    const parseUpdate = (customerId: string, occurredAt: string) =>
      parseEvent(
        JSON.stringify({
          eventId: 'e1',
          type: 'customer.updated',
          customerId,
          occurredAt,
          properties: { firstName: 'Ann' },
        }),
        customerId,
        now,
      );

    for (const occurredAt of [
      '2030-01-01T23:59:59.999+14:00',
      '2029-12-31T13:00:00-12:00',
      '2030-01-01T11:00:00.123456789Z',
      '2030-01-01T11:00:00.9999995Z',
      '2000-01-01T00:00:00Z',
      '2030-01-01T12:05:00Z',
      '2030-01-01T05:30:00.5-05:30',
    ]) {
      it(`stores ${occurredAt} as the same instant the event carries`, async () => {
        const customerId = `ts-${occurredAt.replace('+', 'p').replace(/[^0-9a-z]/gi, '')}-${runId}`;
        const parsed = parseUpdate(customerId, occurredAt);
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.equal(parsed.event.type, 'customer.updated');
        await applyCustomerUpdated(db, parsed.event);
        const row = await db
          .selectFrom('customer_profiles')
          .select(sql<string>`to_char(last_event_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`.as('stored'))
          .where('customer_id', '=', customerId)
          .executeTakeFirstOrThrow();
        assert.equal(
          `${row.stored.slice(0, -3)}Z`,
          parsed.event.occurredAt,
          'the event and the store hold the same instant',
        );
        assert.equal(row.stored.slice(-3), '000', 'nothing finer than a millisecond reaches the store');
      });
    }

    for (const occurredAt of [
      '2030-01-01T11:00:00+16:00',
      '2030-01-01T11:00:00-15:59',
      '2030-01-01T11:00:00+23:59',
      '2030-01-01T11:00:00+15:59',
    ]) {
      it(`stores ${occurredAt}, or the contract refuses it`, async () => {
        const customerId = `ts-${occurredAt.replace('+', 'p').replace(/[^0-9a-z]/gi, '')}-${runId}`;
        const parsed = parseUpdate(customerId, occurredAt);
        if (!parsed.ok) {
          assert.equal(parsed.reason, 'invalid_timestamp');
          return;
        }
        assert.equal(parsed.event.type, 'customer.updated');
        assert.equal(await applyCustomerUpdated(db, parsed.event), true);
      });
    }
  });

  describe('fields merge one by one, each by its own freshness', () => {
    it("keeps an older update's fields that nothing newer has touched", async () => {
      const customerId = `merge-${runId}`;
      assert.equal(
        await applyCustomerUpdated(db, updated(customerId, 'phone-at-2', at(2), { phone: '+14155550123' })),
        true,
      );
      assert.equal(
        await applyCustomerUpdated(
          db,
          updated(customerId, 'email-at-1', at(1), { email: 'ann@example.test', phone: '+14155550999' }),
        ),
        true,
      );
      const profile = await findProfile(db, customerId);
      assert.deepEqual(
        [profile?.email, profile?.phone],
        ['ann@example.test', '+14155550123'],
        'the email of T1 is kept; its older phone is not',
      );
    });

    it('applies an opt-in only when newer than the field, and an opt-out always', async () => {
      const customerId = `consent-${runId}`;
      await applyCustomerUpdated(db, updated(customerId, 'sms-out-at-3', at(3), { smsOptIn: false }));
      await applyCustomerUpdated(db, updated(customerId, 'opt-in-at-2', at(2), { emailOptIn: true, smsOptIn: true }));
      let profile = await findProfile(db, customerId);
      assert.deepEqual(
        [profile?.emailOptIn, profile?.smsOptIn],
        [true, false],
        'the older SMS opt-in does not undo the newer opt-out',
      );
      await applyCustomerUpdated(db, updated(customerId, 'email-out-at-1', at(1), { emailOptIn: false }));
      profile = await findProfile(db, customerId);
      assert.equal(profile?.emailOptIn, false, 'an opt-out is never stale');
      await applyCustomerUpdated(db, updated(customerId, 'email-in-at-4', at(4), { emailOptIn: true }));
      assert.equal((await findProfile(db, customerId))?.emailOptIn, true, 'an opt-in newer than every opt-out applies');
    });

    it("replaying a customer's events in order ends in the state they first produced", async () => {
      const customerId = `replay-${runId}`;
      const history = [
        updated(customerId, 'r1', at(1), { email: 'a@example.test', emailOptIn: true }),
        {
          eventId: 'r2',
          type: 'customer.unsubscribed',
          customerId,
          occurredAt: at(2),
          properties: { channel: 'email' },
        } as EventOf<'customer.unsubscribed'>,
        updated(customerId, 'r3', at(3), { emailOptIn: true, firstName: 'Ann' }),
      ];
      const play = async () => {
        for (const event of history) {
          if (event.type === 'customer.updated') await applyCustomerUpdated(db, event);
          else await applyUnsubscribe(db, event);
        }
        return findProfile(db, customerId);
      };
      const first = await play();
      assert.deepEqual(await play(), first);
      assert.equal(first?.emailOptIn, true);
    });
  });

  describe("an operator's change (PATCH) and the storefront's events", () => {
    it('does not freeze the fields the operator did not touch', async () => {
      const customerId = `patch-other-${runId}`;
      await applyCustomerUpdated(
        db,
        updated(customerId, 'u1', new Date(Date.now() - 120_000).toISOString(), {
          email: 'ann@example.test',
          emailOptIn: true,
        }),
      );
      await applyOperatorChanges(db, customerId, { firstName: 'Annie' }, 'admin-1');
      const delayed = updated(customerId, 'u2', new Date(Date.now() - 60_000).toISOString(), {
        email: 'ann.new@example.test',
        timezone: 'Europe/Paris',
      });
      assert.equal(
        await applyCustomerUpdated(db, delayed),
        true,
        'an event that occurred before the PATCH but arrives after it',
      );
      const profile = await findProfile(db, customerId);
      assert.deepEqual(
        [profile?.firstName, profile?.email, profile?.timezone],
        ['Annie', 'ann.new@example.test', 'Europe/Paris'],
      );
    });

    it("on a customer the store does not know yet, leaves the storefront's first event its other fields", async () => {
      const customerId = `patch-unknown-${runId}`;
      await applyOperatorChanges(db, customerId, { smsOptIn: false }, 'admin-2');
      const first = updated(customerId, 'first', new Date(Date.now() - 1000).toISOString(), {
        email: 'bo@example.test',
        phone: '+14155550100',
        emailOptIn: true,
        smsOptIn: true,
      });
      assert.equal(await applyCustomerUpdated(db, first), true);
      const profile = await findProfile(db, customerId);
      assert.deepEqual(
        [profile?.email, profile?.phone, profile?.emailOptIn, profile?.smsOptIn],
        ['bo@example.test', '+14155550100', true, false],
        'everything applies but the SMS opt-in the operator withdrew after it',
      );
    });

    it('is undone by nothing that happened before it, and by anything that happens after it', async () => {
      const customerId = `patch-same-${runId}`;
      await applyCustomerUpdated(
        db,
        updated(customerId, 'u1', new Date(Date.now() - 60_000).toISOString(), { email: 'typo@example.tst' }),
      );
      await applyOperatorChanges(db, customerId, { email: 'fixed@example.test' }, 'admin-3');
      await applyCustomerUpdated(
        db,
        updated(customerId, 'u0', new Date(Date.now() - 30_000).toISOString(), { email: 'typo@example.tst' }),
      );
      assert.equal((await findProfile(db, customerId))?.email, 'fixed@example.test');
      await applyCustomerUpdated(
        db,
        updated(customerId, 'u2', new Date(Date.now() + 1000).toISOString(), { email: 'moved@example.test' }),
      );
      assert.equal((await findProfile(db, customerId))?.email, 'moved@example.test');
    });
  });
});
