import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { handleMessage } from '../../bridge/handle-message';
import type { FeedbackEvent } from '../../contract/events';
import { resolveSettings } from '../../contract/settings/overrides';
import { createDb, migrateToLatest, type Db } from '../../platform/db/database';
import {
  AMBIGUOUS_REASON,
  confirmSent,
  listJourneyMessages,
  releaseReservation,
  reserveDelivery,
  settleDelivery,
  type DeliveryKey,
} from '../../platform/db/delivery-ledger';
import { applyFeedback } from '../../platform/db/feedback';
import { applyCustomerUpdated, findProfile } from '../../platform/db/profiles';
import type { Channel } from '../../platform/db/schema';
import { liftSuppression, listSuppressions } from '../../platform/db/suppressions';
import type { JourneyClient } from '../../platform/temporal/journeys';
import { requireServices, runId, stackEnv } from '../support/services';

describe('feedback on the delivery ledger and the suppression list (PostgreSQL)', () => {
  let db: Db;
  let counter = 0;
  const customerId = `feedback-${runId}`;
  const at = (second: number) => `2030-02-01T09:00:${String(second).padStart(2, '0')}.000Z`;
  const unique = () => `${runId}-${(counter += 1)}`;

  before(async () => {
    await requireServices(['postgres']);
    db = createDb(stackEnv.database, 4);
    await migrateToLatest(db);
  });
  after(async () => {
    await db.destroy();
  });

  /** A journey's message the provider accepted (or, `unknown`, may have), as deliver() leaves it. */
  async function sentMessage(
    channel: Channel,
    address: string,
    state: 'sent' | 'unknown' | 'sending' | 'retrying' = 'sent',
  ) {
    const n = unique();
    const prefix = `fb:${n}:`;
    const key: DeliveryKey = {
      idempotencyKey: `${prefix}reminder-1:${channel}`,
      campaign: 'cart-abandonment',
      customerId,
      step: 'reminder-1',
      channel,
    };
    const messageId = channel === 'email' ? `<fb-${n}@test>` : `sms-fb-${n}`;
    const reserved = await reserveDelivery(db, key, messageId, {
      leaseMs: 60_000,
      contactAtMs: Date.now(),
      cap: { limit: 0, windowMs: 0 },
      address,
    });
    assert.equal(reserved.kind, 'reserved');
    if (state === 'sent') await confirmSent(db, key.idempotencyKey, `provider-${n}`);
    else if (state === 'unknown') await settleDelivery(db, key.idempotencyKey, 'unknown', AMBIGUOUS_REASON);
    else if (state === 'retrying') await releaseReservation(db, key.idempotencyKey, 'will retry: Twilio HTTP 503');
    return { key, messageId, prefix, channel };
  }

  const row = async (message: { key: DeliveryKey }) =>
    db
      .selectFrom('deliveries')
      .selectAll()
      .where('idempotency_key', '=', message.key.idempotencyKey)
      .executeTakeFirstOrThrow();

  function event(
    message: { messageId: string; channel: Channel },
    type: FeedbackEvent['type'],
    occurredAt: string,
    extra: Record<string, unknown> = {},
  ): FeedbackEvent {
    return {
      eventId: `fb-event-${unique()}`,
      type,
      customerId,
      occurredAt,
      properties: {
        messageId: message.messageId,
        channel: message.channel,
        campaign: 'cart-abandonment',
        step: 'reminder-1',
        journeyId: 'j1',
        provider: message.channel === 'email' ? 'sendgrid' : 'twilio',
        ...extra,
      },
    } as FeedbackEvent;
  }

  const reserveNext = async (channel: Channel, address: string) => {
    const key: DeliveryKey = {
      idempotencyKey: `fb-next:${unique()}`,
      campaign: 'browse-abandonment',
      customerId,
      step: 'reminder-1',
      channel,
    };
    return reserveDelivery(db, key, `next-${unique()}`, {
      leaseMs: 60_000,
      contactAtMs: Date.now(),
      cap: { limit: 0, windowMs: 0 },
      address,
    });
  };
  const reservationOf = (address: string) => ({
    leaseMs: 60_000,
    contactAtMs: Date.now(),
    cap: { limit: 0, windowMs: 0 },
    address,
  });
  const settledAs = (reservation: Awaited<ReturnType<typeof reserveDelivery>>) =>
    reservation.kind === 'settled' ? `${reservation.record.state}: ${reservation.record.reason}` : reservation.kind;

  it('records a delivery, and shows it on the journey', async () => {
    const sms = await sentMessage('sms', '+14155550101');
    assert.equal(await applyFeedback(db, event(sms, 'message.delivered', at(5))), 'delivery recorded');
    const recorded = await row(sms);
    assert.deepEqual(
      [recorded.delivery_status, recorded.delivered_at?.toISOString(), recorded.delivery_status_at?.toISOString()],
      ['delivered', at(5), at(5)],
    );
    const [message] = await listJourneyMessages(db, sms.prefix);
    assert.equal(message?.deliveryStatus, 'delivered');
    assert.equal(message?.deliveredAt?.toISOString(), at(5));
  });

  it('records a failure with its code and a masked reason', async () => {
    const sms = await sentMessage('sms', '+14155550102');
    const failed = event(sms, 'message.failed', at(7), { errorCode: '30003', reason: 'Unreachable: +14155550102' });
    assert.equal(await applyFeedback(db, failed), 'delivery recorded');
    const recorded = await row(sms);
    assert.equal(recorded.delivery_status, 'failed');
    assert.match(recorded.delivery_error ?? '', /^30003: Unreachable: /);
    assert.ok(!recorded.delivery_error?.includes('4155550102'), `not masked: ${recorded.delivery_error}`);
  });

  it('counts opens and clicks and keeps the earliest of each, whatever the order they arrive in', async () => {
    const email = await sentMessage('email', `opens-${runId}@example.test`);
    assert.equal(await applyFeedback(db, event(email, 'message.opened', at(20))), 'open recorded');
    await applyFeedback(db, event(email, 'message.opened', at(10)));
    await applyFeedback(db, event(email, 'message.opened', at(30)));
    const url = 'https://shop.example/cart';
    assert.equal(await applyFeedback(db, event(email, 'message.clicked', at(25), { url })), 'click recorded');
    const [message] = await listJourneyMessages(db, email.prefix);
    assert.deepEqual(
      [
        message?.opens.count,
        message?.opens.first?.toISOString(),
        message?.clicks.count,
        message?.clicks.first?.toISOString(),
      ],
      [3, at(10), 1, at(25)],
    );
    assert.equal(message?.deliveryStatus, null, 'an open says nothing of the delivery status');
  });

  it('changes nothing twice when the same event comes again', async () => {
    const email = await sentMessage('email', `twice-${runId}@example.test`);
    const opened = event(email, 'message.opened', at(12));
    const delivered = event(email, 'message.delivered', at(11));
    await applyFeedback(db, delivered);
    await applyFeedback(db, opened);
    const before = await row(email);
    assert.equal(await applyFeedback(db, opened), 'duplicate feedback ignored');
    assert.equal(await applyFeedback(db, delivered), 'duplicate feedback ignored');
    const afterRow = await row(email);
    assert.equal(afterRow.open_count, 1);
    assert.deepEqual(afterRow, before);
  });

  it('keeps a failure when an older delivered report arrives after it', async () => {
    const sms = await sentMessage('sms', '+14155550103');
    await applyFeedback(db, event(sms, 'message.failed', at(40), { errorCode: '30005' }));
    const late = await applyFeedback(db, event(sms, 'message.delivered', at(39)));
    assert.match(late, /the failed reported at .* stands/);
    const recorded = await row(sms);
    assert.deepEqual(
      [recorded.delivery_status, recorded.delivery_error, recorded.delivery_status_at?.toISOString()],
      ['failed', '30005', at(40)],
    );
    assert.equal(recorded.delivered_at?.toISOString(), at(39), 'the delivery report is still kept as a fact');
  });

  it('settles an ambiguous send as sent when the provider reports on it', async () => {
    const email = await sentMessage('email', `ambiguous-${runId}@example.test`, 'unknown');
    assert.equal(await applyFeedback(db, event(email, 'message.opened', at(49))), 'open recorded');
    assert.equal((await row(email)).state, 'unknown', "our own tracking is not the provider's word");
    const delivered = event(email, 'message.delivered', at(50), { providerMessageId: 'sg-ambiguous-1' });
    assert.match(await applyFeedback(db, delivered), /ambiguous send is settled as sent/);
    const recorded = await row(email);
    assert.deepEqual(
      [recorded.state, recorded.sent_at?.toISOString(), recorded.provider_message_id],
      ['sent', at(50), 'sg-ambiguous-1'],
    );
    assert.match(recorded.reason ?? '', /settled by the provider's callback: message\.delivered \(sendgrid\)/);
  });

  it('settles as sent a send released for a retry once the provider reports on it: no resend', async () => {
    const released = await sentMessage('sms', '+14155550111', 'retrying');
    await applyFeedback(db, event(released, 'message.delivered', at(13), { providerMessageId: 'SMretrying' }));
    assert.deepEqual([(await row(released)).state, (await row(released)).provider_message_id], ['sent', 'SMretrying']);
    assert.equal(
      settledAs(await reserveDelivery(db, released.key, released.messageId, reservationOf('+14155550111'))),
      `sent: ${(await row(released)).reason}`,
    );

    // The report can also come while the attempt is still in flight, and the attempt then fail as "not accepted".
    const inFlight = await sentMessage('sms', '+14155550112', 'sending');
    await applyFeedback(db, event(inFlight, 'message.failed', at(14), { errorCode: '30003' }));
    await releaseReservation(db, inFlight.key.idempotencyKey, 'will retry: Twilio HTTP 500');
    assert.equal((await row(inFlight)).state, 'sent', 'the provider had it: never released for a resend');
  });

  it("says so when the message is not in the ledger, and still records the event's ID", async () => {
    const ghost = { messageId: `<ghost-${runId}@test>`, channel: 'email' as const };
    const delivered = event(ghost, 'message.delivered', at(1));
    assert.equal(await applyFeedback(db, delivered), 'no such message');
    assert.equal(await applyFeedback(db, delivered), 'duplicate feedback ignored');
  });

  it('suppresses a hard-bounced address: the next send to it is skipped until the suppression is lifted', async () => {
    const address = `Bounced-${runId}@Example.test`;
    const email = await sentMessage('email', address);
    const bounced = event(email, 'message.bounced', at(3), { bounceType: 'hard', reason: '550 no such user', address });
    assert.equal(await applyFeedback(db, bounced), 'delivery recorded; email address suppressed (hard_bounce)');
    const { suppressions } = await listSuppressions(db, { channel: 'email', address, limit: 10 });
    assert.deepEqual(
      suppressions.map((entry) => [entry.address, entry.reason, entry.source, entry.messageId]),
      [[address.toLowerCase(), 'hard_bounce', 'sendgrid', email.messageId]],
    );

    const complaint = event(email, 'message.complained', at(4), { address });
    assert.equal(await applyFeedback(db, complaint), 'delivery recorded; email address already suppressed');
    assert.equal((await row(email)).delivery_status, 'complained');

    assert.equal(settledAs(await reserveNext('email', address)), 'skipped: suppressed: hard_bounce (sendgrid)');
    await liftSuppression(db, suppressions[0]!.id, { by: 'test', note: 'mailbox restored' });
    assert.equal(settledAs(await reserveNext('email', address)), 'reserved');
  });

  it('suppresses nothing on a soft bounce', async () => {
    const address = `soft-${runId}@example.test`;
    const email = await sentMessage('email', address);
    const bounced = event(email, 'message.bounced', at(3), { bounceType: 'soft', reason: 'mailbox full', address });
    assert.equal(await applyFeedback(db, bounced), 'delivery recorded');
    assert.equal((await row(email)).delivery_error, 'soft bounce: mailbox full');
    assert.equal(settledAs(await reserveNext('email', address)), 'reserved');
  });

  it("suppresses the customer's number on a carrier opt-out (21610) that names no address", async () => {
    const phone = `+1415${String(Date.now()).slice(-7)}`;
    await applyCustomerUpdated(db, {
      eventId: `fb-profile-${unique()}`,
      type: 'customer.updated',
      customerId,
      occurredAt: new Date().toISOString(),
      properties: { phone, smsOptIn: true },
    });
    const sms = await sentMessage('sms', phone);
    const failed = event(sms, 'message.failed', at(8), {
      errorCode: '21610',
      reason: 'Attempt to send to unsubscribed recipient',
    });
    assert.equal(await applyFeedback(db, failed), 'delivery recorded; sms address suppressed (carrier_opt_out)');
    assert.equal(settledAs(await reserveNext('sms', phone)), 'skipped: suppressed: carrier_opt_out (twilio)');
    const [suppression] = (await listSuppressions(db, { channel: 'sms', address: phone, limit: 1 })).suppressions;
    assert.ok(suppression);
    assert.equal(suppression.customerId, customerId);
    await liftSuppression(db, suppression.id, { by: 'test' });
    const other = await sentMessage('sms', '+14155550104');
    const unreachable = event(other, 'message.failed', at(8), { errorCode: '30003', address: '+14155550104' });
    assert.equal(await applyFeedback(db, unreachable), 'delivery recorded', 'any other failure suppresses nothing');
  });

  describe('through the bridge', () => {
    const told: string[] = [];
    const journeys = {
      signalIfRunning: (campaign: string) => {
        told.push(campaign);
        return Promise.resolve(false);
      },
      startOrSignal: () => Promise.reject(new Error('no journey should start')),
    } as unknown as JourneyClient;
    const deps = () => ({
      db,
      journeys,
      now: () => Date.now(),
      routingContext: () => Promise.resolve({ settings: resolveSettings([]).campaigns }),
    });
    const send = (value: { customerId: string; [field: string]: unknown }) =>
      handleMessage(deps(), Buffer.from(JSON.stringify(value)), Buffer.from(value.customerId));

    it('records a feedback event once, however often it is consumed', async () => {
      const email = await sentMessage('email', `bridge-${runId}@example.test`);
      const opened = { ...event(email, 'message.opened', new Date().toISOString()) };
      const first = await send(opened);
      const second = await send(opened);
      const effects = [first, second].map((result) =>
        result.kind === 'routed'
          ? result.actions.find((action) => action.kind === 'recordFeedback')?.effect
          : result.kind,
      );
      assert.deepEqual(effects, ['open recorded', 'duplicate feedback ignored']);
      assert.equal((await row(email)).open_count, 1);
    });

    it('withdraws SMS consent on a STOP reply (customer.unsubscribed, source sms_stop)', async () => {
      const stopper = `stop-${runId}`;
      await applyCustomerUpdated(db, {
        eventId: `fb-stop-profile-${runId}`,
        type: 'customer.updated',
        customerId: stopper,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        properties: { phone: '+14155550199', smsOptIn: true, email: 'stop@example.test', emailOptIn: true },
      });
      const result = await send({
        eventId: `fb-stop-${runId}`,
        type: 'customer.unsubscribed',
        customerId: stopper,
        occurredAt: new Date().toISOString(),
        properties: { channel: 'sms', source: 'sms_stop', messageId: 'sms-abc' },
      });
      assert.equal(result.kind, 'routed');
      assert.equal(result.kind === 'routed' && result.actions[0]?.effect, 'profile updated');
      const profile = await findProfile(db, stopper);
      assert.deepEqual([profile?.smsOptIn, profile?.emailOptIn], [false, true]);
      assert.ok(told.length > 0, 'the running journeys are told too');
    });
  });
});
