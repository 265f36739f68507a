import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestAdmin } from '../support/admin';
import { TestApp } from '../support/app';
import { mug } from '../support/events';
import { eventually, runId } from '../support/services';

interface Detail {
  state: { journeyId: string | null; timeline: Array<{ at: string; kind: string; text: string }> } | null;
  messages: Array<{
    step: string;
    channel: string;
    messageId: string | null;
    deliveryStatus: string | null;
    deliveredAt: string | null;
    deliveryError: string | null;
    opens: { count: number; first: string | null };
    clicks: { count: number; first: string | null };
  }>;
}

/** Feedback events on the topic reach the ledger through the bridge, and the journey's detail shows them. */
describe("a sent message's delivery and engagement in the journey's detail", () => {
  const app = new TestApp('engagement');
  let admin: TestAdmin;

  before(async () => {
    await app.start();
    admin = new TestAdmin({ TEMPORAL_TASK_QUEUE: app.taskQueue });
    await admin.start();
  });
  after(async () => {
    await admin?.stop();
    await app.stop();
  });

  it('shows delivered, opened and clicked on the message and in the timeline, each counted once', async () => {
    const customerId = `engaged-${runId}`;
    const patched = await admin.request('PATCH', `/customers/${customerId}`, {
      body: { email: `${customerId}@example.test`, firstName: 'Pat', emailOptIn: true },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const started = await admin.request('POST', '/campaigns/cart-abandonment/journeys', {
      body: { customerId, items: [mug], currency: 'EUR', overrides: { firstReminderDelay: '1s' } },
    });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const detail = () => admin.request<Detail>('GET', `/campaigns/cart-abandonment/journeys/${customerId}`);
    const sent = await eventually(
      'the first reminder in the ledger',
      detail,
      (response) => response.body.messages.some((message) => message.messageId !== null),
      20_000,
    );
    const message = sent.body.messages[0]!;
    assert.deepEqual([message.deliveryStatus, message.opens.count, message.clicks.count], [null, 0, 0]);

    const sentAt = Date.now();
    const feedback = (type: string, offsetMs: number, extra: object = {}) => ({
      eventId: `engagement-${type}-${runId}`,
      type,
      customerId,
      occurredAt: new Date(sentAt + offsetMs).toISOString(),
      properties: {
        messageId: message.messageId,
        channel: 'email',
        campaign: 'cart-abandonment',
        step: message.step,
        journeyId: sent.body.state?.journeyId ?? 'unknown',
        provider: type === 'message.delivered' ? 'sendgrid' : 'tracking',
        ...extra,
      },
    });
    const events = [
      feedback('message.delivered', 1_000),
      feedback('message.opened', 2_000),
      feedback('message.clicked', 3_000, { url: 'https://shop.example/cart' }),
    ];
    // Each twice: a redelivery changes nothing twice.
    await app.produce([...events, ...events]);

    const shown = await eventually(
      'the feedback in the journey detail',
      detail,
      (response) => (response.body.messages[0]?.clicks.count ?? 0) > 0,
      20_000,
    );
    const [engaged] = shown.body.messages;
    assert.deepEqual(
      [engaged?.deliveryStatus, engaged?.deliveredAt, engaged?.opens, engaged?.clicks],
      [
        'delivered',
        events[0]!.occurredAt,
        { count: 1, first: events[1]!.occurredAt },
        { count: 1, first: events[2]!.occurredAt },
      ],
    );
    const engagement = (shown.body.state?.timeline ?? []).filter((entry) => entry.kind === 'engagement');
    assert.deepEqual(
      engagement.map((entry) => [entry.at, entry.text]),
      [
        [events[0]!.occurredAt, `${message.step} (email) delivered`],
        [events[1]!.occurredAt, `${message.step} (email) opened`],
        [events[2]!.occurredAt, `${message.step} (email) clicked`],
      ],
    );
    assert.equal(app.deadLetters.length, 0, JSON.stringify(app.deadLetters));
  });
});
