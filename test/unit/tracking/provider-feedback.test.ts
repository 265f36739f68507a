import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { eventPropertySchemas, type CustomerEvent } from '../../../contract/events';
import type { SentMessage } from '../../../platform/db/sent-messages';
import {
  feedbackFromSendgridEvent,
  sendgridMessageIdOf,
  sendgridOutcome,
  type SendgridEvent,
} from '../../../tracking/providers/sendgrid-events';
import { sendgridVerifier } from '../../../tracking/providers/sendgrid-signature';
import {
  isOptOutReply,
  TWILIO_OPT_OUT_KEYWORDS,
  unsubscribeFromStop,
} from '../../../tracking/providers/twilio-opt-out';
import { feedbackFromTwilioStatus, twilioStatusCallbackSchema } from '../../../tracking/providers/twilio-status';

const sms: SentMessage = {
  messageId: 'sms-0123456789abcdef0123456789abcdef',
  providerMessageId: null,
  customerId: 'customer-1',
  campaign: 'cart-abandonment',
  step: 'reminder-2',
  channel: 'sms',
  journeyId: 'journey-1',
  state: 'sent',
};
const email: SentMessage = { ...sms, messageId: '<abc@campaigns.example>', channel: 'email' };
const sid = `SM${'a1'.repeat(16)}`;
const at = '2026-05-01T10:00:00.000Z';

/** Every event a mapping makes must pass the contract the bridge checks. */
function assertValid(event: CustomerEvent | null): asserts event is CustomerEvent {
  assert.ok(event, 'expected an event');
  const parsed = eventPropertySchemas[event.type].safeParse(event.properties);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
}

describe('Twilio status callbacks', () => {
  const callback = (fields: Record<string, string>) =>
    twilioStatusCallbackSchema.parse({ MessageSid: sid, To: '+14155550100', ...fields });

  it('makes message.delivered of "delivered", about the ledger message, with an ID that repeats', () => {
    const event = feedbackFromTwilioStatus(callback({ MessageStatus: 'delivered' }), sms, at);
    assertValid(event);
    assert.equal(event.type, 'message.delivered');
    assert.equal(event.customerId, sms.customerId);
    assert.deepEqual(
      { ...event.properties },
      {
        messageId: sms.messageId,
        channel: 'sms',
        campaign: sms.campaign,
        step: sms.step,
        journeyId: sms.journeyId,
        provider: 'twilio',
        providerMessageId: sid,
      },
    );
    const again = feedbackFromTwilioStatus(callback({ MessageStatus: 'delivered' }), sms, '2026-05-02T00:00:00Z');
    assert.equal(again?.eventId, event.eventId);
  });

  it('makes message.failed of "undelivered" and "failed", with the error code and the address', () => {
    for (const [status, code] of [
      ['undelivered', '30003'],
      ['failed', '21610'],
    ] as const) {
      const event = feedbackFromTwilioStatus(callback({ MessageStatus: status, ErrorCode: code }), sms, at);
      assertValid(event);
      assert.equal(event.type, 'message.failed');
      if (event.type !== 'message.failed') return;
      assert.equal(event.properties.errorCode, code);
      assert.equal(event.properties.address, '+14155550100');
      assert.match(event.properties.reason ?? '', new RegExp(code));
      assert.notEqual(
        event.eventId,
        feedbackFromTwilioStatus(callback({ MessageStatus: 'delivered' }), sms, at)?.eventId,
      );
    }
  });

  it('makes nothing of the statuses on the way', () => {
    for (const status of ['queued', 'sending', 'sent', 'accepted', 'scheduled'])
      assert.equal(feedbackFromTwilioStatus(callback({ MessageStatus: status }), sms, at), null, status);
  });

  it('refuses a callback without a message SID or with a malformed status', () => {
    assert.equal(twilioStatusCallbackSchema.safeParse({ MessageStatus: 'delivered' }).success, false);
    assert.equal(
      twilioStatusCallbackSchema.safeParse({ MessageSid: sid, MessageStatus: 'Del\nivered' }).success,
      false,
    );
  });
});

describe('Twilio STOP replies', () => {
  it("recognises Twilio's opt-out keywords, in any case and with spaces, and nothing else", () => {
    for (const keyword of TWILIO_OPT_OUT_KEYWORDS) {
      assert.ok(isOptOutReply(keyword));
      assert.ok(isOptOutReply(`  ${keyword.toLowerCase()} \n`));
    }
    for (const body of ['', 'STOP please', 'stopp', 'HELP', 'START', 'yes']) assert.equal(isOptOutReply(body), false);
  });

  it('makes an SMS unsubscribe from a STOP, one event ID per reply and customer', () => {
    const inbound = { MessageSid: sid, From: '+14155550100', Body: 'STOP' };
    const event = unsubscribeFromStop(inbound, 'customer-1', at);
    assertValid(event);
    assert.deepEqual(event.properties, { channel: 'sms', source: 'sms_stop' });
    assert.equal(event.customerId, 'customer-1');
    assert.equal(unsubscribeFromStop(inbound, 'customer-1', at).eventId, event.eventId);
    assert.notEqual(unsubscribeFromStop(inbound, 'customer-2', at).eventId, event.eventId);
    const longId = 'c'.repeat(128);
    assert.ok(unsubscribeFromStop(inbound, longId, at).eventId.length <= 128);
  });
});

describe('SendGrid events', () => {
  const base = {
    email: 'shopper@example.com',
    timestamp: Math.floor(Date.parse(at) / 1000),
    sg_event_id: 'ZGVsaXZlcmVk',
    sg_message_id: 'abc.filter0001.1',
    'smtp-id': email.messageId,
  };
  const of = (fields: Partial<SendgridEvent> & { event: string }) =>
    feedbackFromSendgridEvent({ ...base, ...fields }, email, Date.parse(at) + 60_000);

  it('maps delivered, bounces (hard or blocked), dropped bounced addresses and spam reports', () => {
    const cases: Array<[Partial<SendgridEvent> & { event: string }, string, string | undefined]> = [
      [{ event: 'delivered' }, 'message.delivered', undefined],
      [{ event: 'bounce', type: 'bounce', reason: '550 no such user' }, 'message.bounced', 'hard'],
      [{ event: 'bounce', reason: '550 no such user' }, 'message.bounced', 'hard'],
      [{ event: 'bounce', type: 'blocked', reason: '421 try later' }, 'message.bounced', 'soft'],
      [{ event: 'dropped', reason: 'Bounced Address' }, 'message.bounced', 'hard'],
      [{ event: 'dropped', reason: 'Invalid' }, 'message.bounced', 'hard'],
      [{ event: 'spamreport' }, 'message.complained', undefined],
    ];
    for (const [input, type, bounceType] of cases) {
      const event = of(input);
      assertValid(event);
      assert.equal(event.type, type, JSON.stringify(input));
      assert.equal((event.properties as { bounceType?: string }).bounceType, bounceType);
      assert.equal(event.eventId, `sendgrid:${base.sg_event_id}`);
      assert.equal((event.properties as { provider?: string }).provider, 'sendgrid');
      assert.equal(event.properties.messageId, email.messageId);
      assert.equal(event.occurredAt, at);
      if (type !== 'message.delivered') assert.equal((event.properties as { address?: string }).address, base.email);
    }
  });

  it('ignores what the tracking service counts itself and what says nothing final', () => {
    for (const event of ['processed', 'deferred', 'open', 'click'])
      assert.equal(sendgridOutcome({ event }), null, event);
    assert.equal(sendgridOutcome({ event: 'dropped', reason: 'Spam Content' }), null);
  });

  it('withdraws email consent for an opt-out made at SendGrid: unsubscribe, group, an unsubscribed drop', () => {
    const inputs = [
      { event: 'unsubscribe' },
      { event: 'group_unsubscribe' },
      { event: 'dropped', reason: 'Unsubscribed Address' },
    ];
    for (const input of inputs) {
      const event = of(input);
      assertValid(event);
      assert.equal(event.type, 'customer.unsubscribed', JSON.stringify(input));
      assert.deepEqual(event.properties, { channel: 'email', source: 'provider', messageId: email.messageId });
      assert.equal(event.customerId, email.customerId);
    }
  });

  it('masks addresses in a bounce reason and finds our message ID by smtp-id, else the custom argument', () => {
    const event = of({ event: 'bounce', reason: '550 <shopper@example.com> unknown', status: '5.1.1' });
    assertValid(event);
    const reason = (event.properties as { reason?: string }).reason ?? '';
    assert.ok(reason.startsWith('5.1.1') && !reason.includes('shopper@example.com'), reason);
    assert.equal(sendgridMessageIdOf({ ...base, event: 'spamreport' }), email.messageId);
    assert.equal(
      sendgridMessageIdOf({ event: 'spamreport', sg_event_id: 'x', message_id: email.messageId }),
      email.messageId,
    );
  });
});

describe('SendGrid signature', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const verify = sendgridVerifier(publicKey.export({ type: 'spki', format: 'der' }).toString('base64'), 600_000);
  const now = Date.now();
  const timestamp = String(Math.floor(now / 1000));
  const rawBody = Buffer.from(JSON.stringify([{ event: 'delivered', email: 'é@example.com' }]) + '\r\n');
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), rawBody]), privateKey).toString('base64');

  it('accepts a request signed over timestamp and raw body, and refuses any change', () => {
    assert.equal(verify({ rawBody, signature, timestamp }, now), 'valid');
    assert.equal(
      verify({ rawBody: Buffer.from(`${rawBody.toString()} `), signature, timestamp }, now),
      'bad_signature',
    );
    assert.equal(verify({ rawBody, signature, timestamp: String(Number(timestamp) + 1) }, now), 'bad_signature');
    assert.equal(verify({ rawBody, signature: 'bm90IGEgc2lnbmF0dXJl', timestamp }, now), 'bad_signature');
    assert.equal(verify({ rawBody, signature: undefined, timestamp }, now), 'unsigned');
  });

  it('refuses a correctly signed request outside the window, either way', () => {
    assert.equal(verify({ rawBody, signature, timestamp }, now + 600_000 + 1_000), 'stale');
    assert.equal(verify({ rawBody, signature, timestamp }, now - 600_000 - 1_000), 'stale');
  });

  it('says which setting is wrong when the configured key is not a key', () => {
    assert.throws(
      () => sendgridVerifier('bm90IGEga2V5IGF0IGFsbCwgZm9yIHN1cmUgbm90IGEga2V5', 1_000),
      /SENDGRID_WEBHOOK_PUBLIC_KEY/,
    );
  });
});
