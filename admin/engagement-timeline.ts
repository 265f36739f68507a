import type { TimelineEntry } from '../contract/journeys';
import type { JourneyMessage } from '../platform/db/delivery-ledger';

/**
 * What became of a journey's messages, as timeline entries: delivered, failed, bounced, reported as
 * spam, first opened, first clicked. The workflow's own timeline knows only what it sent; this comes
 * from the ledger, which the feedback events update.
 */
export function engagementEntries(messages: JourneyMessage[]): TimelineEntry[] {
  return messages.flatMap((message) => {
    const label = `${message.step} (${message.channel})`;
    const entries: TimelineEntry[] = [];
    const add = (at: Date | null, text: string) => {
      if (at) entries.push({ at: at.toISOString(), kind: 'engagement', text: `${label} ${text}` });
    };
    add(message.deliveredAt, 'delivered');
    const error = message.deliveryError ? `: ${message.deliveryError}` : '';
    if (message.deliveryStatus === 'failed') add(message.deliveryStatusAt, `failed${error}`);
    if (message.deliveryStatus === 'bounced') add(message.deliveryStatusAt, `bounced${error}`);
    if (message.deliveryStatus === 'complained') add(message.deliveryStatusAt, 'was reported as spam');
    add(message.opens.first, `opened${times(message.opens.count)}`);
    add(message.clicks.first, `clicked${times(message.clicks.count)}`);
    return entries;
  });
}

const times = (count: number) => (count > 1 ? ` (${count} times)` : '');

/** The journey's timeline with the engagement entries merged in by time; the journey's first at the same instant. */
export function withEngagement(timeline: TimelineEntry[], messages: JourneyMessage[]): TimelineEntry[] {
  return [...timeline, ...engagementEntries(messages)]
    .map((entry, index) => ({ entry, index, at: Date.parse(entry.at) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ entry }) => entry);
}
