import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FeedbackEvent } from '../../contract/events';
import { createDb, type Db } from '../../platform/db/database';
import { confirmSent, reserveDelivery, type DeliveryKey } from '../../platform/db/delivery-ledger';
import { applyFeedback } from '../../platform/db/feedback';
import type { Channel } from '../../platform/db/schema';
import { TestAdmin } from '../support/admin';
import { throwawayDatabase } from '../support/databases';
import { requireServices, runId } from '../support/services';

interface SuppressionView {
  id: string;
  channel: string;
  address: string;
  reason: string;
  source: string;
  detail: string | null;
  inForce: boolean;
  liftedAt: string | null;
  liftedBy: string | null;
  liftNote: string | null;
}
interface ListView {
  suppressions: SuppressionView[];
  nextAfterId: string | null;
}

/** The suppression list through the admin API, on a database of its own (the list is deployment-wide). */
describe('admin API: the suppression list', () => {
  let database: Awaited<ReturnType<typeof throwawayDatabase>>;
  let db: Db;
  let admin: TestAdmin;
  let counter = 0;
  const unique = () => `${runId}-${(counter += 1)}`;

  before(async () => {
    await requireServices(['postgres', 'temporal']);
    database = await throwawayDatabase('suppressions_admin');
    db = createDb(database.url, 2);
    admin = new TestAdmin({ DATABASE_URL: database.url });
    await admin.start();
  });
  after(async () => {
    await admin?.stop();
    await db?.destroy();
    await database?.drop();
  });

  const list = async (query: string) => {
    const response = await admin.request<ListView>('GET', `/suppressions?${query}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  };
  /** The next send of a journey step to `address`: `reserved`, or the state and reason it was settled with. */
  const nextSend = async (channel: Channel, address: string) => {
    const key: DeliveryKey = {
      idempotencyKey: `admin-suppressions:${unique()}`,
      campaign: 'cart-abandonment',
      customerId: `suppressed-${runId}`,
      step: 'reminder-1',
      channel,
    };
    const reservation = await reserveDelivery(db, key, `m-${unique()}`, {
      leaseMs: 60_000,
      contactAtMs: Date.now(),
      cap: { limit: 0, windowMs: 0 },
      address,
    });
    return reservation.kind === 'settled'
      ? `${reservation.record.state}: ${reservation.record.reason}`
      : reservation.kind;
  };

  it("suppresses an operator's address until it is lifted, then the next send goes", async () => {
    const address = `Ann-${runId}@Storefront.example`;
    const added = await admin.request<SuppressionView>('POST', '/suppressions', {
      body: { channel: 'email', address, note: 'asked by phone' },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.deepEqual(
      [added.body.address, added.body.reason, added.body.source, added.body.detail, added.body.inForce],
      [address.toLowerCase(), 'operator', 'admin', 'asked by phone', true],
    );
    assert.equal(await nextSend('email', address.toUpperCase()), 'skipped: suppressed: operator (admin)');

    const again = await admin.request('POST', '/suppressions', { body: { channel: 'email', address } });
    assert.deepEqual([again.status, again.body.error, again.body.field], [409, 'already_suppressed', 'address']);

    const lifted = await admin.request<SuppressionView>('POST', `/suppressions/${added.body.id}/lift`, {
      body: { note: 'a mistake' },
    });
    assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
    assert.deepEqual([lifted.body.inForce, lifted.body.liftedBy, lifted.body.liftNote], [false, 'admin', 'a mistake']);
    assert.ok(lifted.body.liftedAt);
    assert.equal(await nextSend('email', address), 'reserved');

    const twice = await admin.request('POST', `/suppressions/${added.body.id}/lift`);
    assert.deepEqual([twice.status, twice.body.error], [404, 'not_found']);
    assert.deepEqual((await list(`channel=email&address=${encodeURIComponent(address)}`)).suppressions, []);
    const history = await list(`channel=email&address=${encodeURIComponent(address)}&includeLifted=true`);
    assert.deepEqual(
      history.suppressions.map((entry) => [entry.id, entry.inForce]),
      [[added.body.id, false]],
    );
  });

  it('lists a hard bounce from the provider, and lifting it lets the next send go', async () => {
    const address = `bounced-${runId}@example.test`;
    const messageId = `<bounce-${unique()}@test>`;
    const key: DeliveryKey = {
      idempotencyKey: `admin-suppressions:${unique()}`,
      campaign: 'cart-abandonment',
      customerId: `bounced-${runId}`,
      step: 'reminder-1',
      channel: 'email',
    };
    await reserveDelivery(db, key, messageId, {
      leaseMs: 60_000,
      contactAtMs: Date.now(),
      cap: { limit: 0, windowMs: 0 },
      address,
    });
    await confirmSent(db, key.idempotencyKey, 'sg-1');
    const bounce: FeedbackEvent = {
      eventId: `bounce-${unique()}`,
      type: 'message.bounced',
      customerId: key.customerId,
      occurredAt: new Date().toISOString(),
      properties: {
        messageId,
        channel: 'email',
        campaign: 'cart-abandonment',
        step: 'reminder-1',
        journeyId: 'j1',
        provider: 'sendgrid',
        bounceType: 'hard',
        reason: '550 5.1.1 user unknown',
        address,
      },
    };
    await applyFeedback(db, bounce);
    const [listed] = (await list(`address=${encodeURIComponent(address)}`)).suppressions;
    assert.deepEqual(
      [listed?.reason, listed?.source, listed?.detail],
      ['hard_bounce', 'sendgrid', '550 5.1.1 user unknown'],
    );
    assert.equal(await nextSend('email', address), 'skipped: suppressed: hard_bounce (sendgrid)');
    assert.equal((await admin.request('POST', `/suppressions/${listed!.id}/lift`)).status, 200);
    assert.equal(await nextSend('email', address), 'reserved');
  });

  it('pages through the list by id', async () => {
    const numbers = [1, 2, 3].map((n) => `+1415${String(Date.now() + n).slice(-7)}`);
    for (const number of numbers) {
      const added = await admin.request('POST', '/suppressions', { body: { channel: 'sms', address: number } });
      assert.equal(added.status, 201, JSON.stringify(added.body));
    }
    const first = await list('channel=sms&pageSize=2');
    assert.equal(first.suppressions.length, 2);
    assert.ok(first.nextAfterId);
    const second = await list(`channel=sms&pageSize=2&afterId=${first.nextAfterId}`);
    assert.equal(second.nextAfterId, null);
    assert.deepEqual(
      [...first.suppressions, ...second.suppressions].map((entry) => entry.address),
      numbers,
    );
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/suppressions', { channel: 'email', address: '+14155550123' }, 'address'],
      ['POST', '/suppressions', { channel: 'sms', address: 'ann@example.test' }, 'address'],
      ['POST', '/suppressions', { channel: 'sms', address: '4155550123' }, 'address'],
      ['POST', '/suppressions', { address: 'ann@example.test' }, 'channel'],
      ['POST', '/suppressions', { channel: 'fax', address: 'ann@example.test' }, 'channel'],
      ['POST', '/suppressions', { channel: 'email', address: 'ann@example.test', by: 'me' }, 'by'],
      ['POST', '/suppressions/abc/lift', undefined, 'id'],
      ['POST', '/suppressions/1/lift', { note: 'ok', extra: 1 }, 'extra'],
      ['GET', '/suppressions?channel=email&address=%2B14155550123', undefined, 'address'],
      ['GET', '/suppressions?includeLifted=maybe', undefined, 'includeLifted'],
      ['GET', '/suppressions?afterId=-1', undefined, 'afterId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await admin.request(method, path, body === undefined ? {} : { body });
      assert.deepEqual(
        [response.status, response.body.error, response.body.field],
        [400, 'invalid_request', field],
        `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(response.body)}`,
      );
    }
  });
});
