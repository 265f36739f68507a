import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engagementEntries, withEngagement } from '../../../admin/engagement-timeline';
import type { TimelineEntry } from '../../../contract/journeys';
import type { JourneyMessage } from '../../../platform/db/delivery-ledger';

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));
const message = (step: string, channel: 'email' | 'sms', fields: Partial<JourneyMessage> = {}): JourneyMessage => ({
  step,
  channel,
  state: 'sent',
  reason: null,
  messageId: `${step}-${channel}`,
  templateId: null,
  templateVersion: null,
  createdAt: at(0),
  sentAt: at(0),
  deliveryStatus: null,
  deliveryStatusAt: null,
  deliveredAt: null,
  deliveryError: null,
  opens: { count: 0, first: null },
  clicks: { count: 0, first: null },
  ...fields,
});

describe('engagement on the journey timeline', () => {
  it('says what became of each message', () => {
    const email = message('reminder-1', 'email', {
      deliveryStatus: 'delivered',
      deliveryStatusAt: at(1),
      deliveredAt: at(1),
      opens: { count: 3, first: at(5) },
      clicks: { count: 1, first: at(6) },
    });
    const sms = message('reminder-2', 'sms', {
      deliveryStatus: 'failed',
      deliveryStatusAt: at(8),
      deliveryError: '30003: Unreachable destination handset',
    });
    assert.deepEqual(
      engagementEntries([email, sms]).map((entry) => [entry.kind, entry.at, entry.text]),
      [
        ['engagement', at(1).toISOString(), 'reminder-1 (email) delivered'],
        ['engagement', at(5).toISOString(), 'reminder-1 (email) opened (3 times)'],
        ['engagement', at(6).toISOString(), 'reminder-1 (email) clicked'],
        ['engagement', at(8).toISOString(), 'reminder-2 (sms) failed: 30003: Unreachable destination handset'],
      ],
    );
  });

  it('adds nothing for a message nobody reported on, and names bounces and complaints', () => {
    assert.deepEqual(engagementEntries([message('reminder-1', 'email')]), []);
    const bounced = message('reminder-1', 'email', {
      deliveryStatus: 'bounced',
      deliveryStatusAt: at(2),
      deliveryError: 'hard bounce: 550 user unknown',
    });
    const complained = message('reminder-2', 'email', { deliveryStatus: 'complained', deliveryStatusAt: at(3) });
    assert.deepEqual(
      engagementEntries([bounced, complained]).map((entry) => entry.text),
      ['reminder-1 (email) bounced: hard bounce: 550 user unknown', 'reminder-2 (email) was reported as spam'],
    );
  });

  it("merges the entries into the journey's timeline by time, the journey's first at the same instant", () => {
    const timeline: TimelineEntry[] = [
      { at: at(0).toISOString(), kind: 'message', text: 'sent reminder-1' },
      { at: at(5).toISOString(), kind: 'wait', text: 'waiting for reminder-2' },
      { at: at(9).toISOString(), kind: 'exit', text: 'converted' },
    ];
    const opened = message('reminder-1', 'email', { deliveredAt: at(1), opens: { count: 1, first: at(5) } });
    const merged = withEngagement(timeline, [opened]);
    assert.deepEqual(
      merged.map((entry) => entry.text),
      [
        'sent reminder-1',
        'reminder-1 (email) delivered',
        'waiting for reminder-2',
        'reminder-1 (email) opened',
        'converted',
      ],
    );
    assert.equal(merged.length, timeline.length + engagementEntries([opened]).length);
  });
});
