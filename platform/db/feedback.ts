import { sql, type Updateable } from 'kysely';
import type { FeedbackEvent } from '../../contract/events';
import { maskPiiInText } from '../pii';
import type { Db } from './database';
import { supersedes, type StatusReport } from './delivery-status';
import { findProfile } from './profiles';
import type { Channel, DeliveriesTable, SuppressionReason } from './schema';
import { addSuppression } from './suppressions';

/**
 * Applies what a provider or the tracking service reported about a sent message to the delivery
 * ledger and the suppression list (docs/FEEDBACK.md), in one transaction. Each event applies once:
 * its ID is recorded first, and a duplicate changes nothing twice. Returns what it did, for the
 * bridge's log (no personal data).
 */
export async function applyFeedback(db: Db, event: FeedbackEvent): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const fresh = await tx
      .insertInto('feedback_events')
      .values({
        event_id: event.eventId,
        message_id: event.properties.messageId,
        type: event.type,
        occurred_at: new Date(event.occurredAt),
      })
      .onConflict((conflict) => conflict.column('event_id').doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!fresh) return 'duplicate feedback ignored';
    const effects = [await recordOnLedger(tx, event)];
    const suppression = suppressionAsked(event);
    if (suppression) effects.push(await suppress(tx, event, suppression));
    return effects.join('; ');
  });
}

/** Twilio's error for a number whose owner replied STOP to our sender: the carrier blocks every further message. */
export const CARRIER_OPT_OUT_ERROR = '21610';

/** Every feedback event but these proves the provider accepted the message. */
const provesAcceptance = (event: FeedbackEvent) => event.type !== 'message.opened' && event.type !== 'message.clicked';

async function recordOnLedger(tx: Db, event: FeedbackEvent): Promise<string> {
  const at = new Date(event.occurredAt);
  const row = await tx
    .selectFrom('deliveries')
    .selectAll()
    .where('message_id', '=', event.properties.messageId)
    .orderBy('created_at', 'desc')
    .forUpdate()
    .executeTakeFirst();
  if (!row) return 'no such message';

  const changes: Updateable<DeliveriesTable> = {};
  let counted: 'open_count' | 'click_count' | null = null;
  const effects: string[] = [];
  if (row.provider_message_id === null && event.properties.providerMessageId)
    changes.provider_message_id = event.properties.providerMessageId;
  // An ambiguous send, or one released for a retry on a failure that looked like a refusal: the
  // provider's report proves it has the message, so no attempt may send it again.
  if ((row.state === 'unknown' || row.state === 'retrying') && provesAcceptance(event)) {
    changes.state = 'sent';
    changes.sent_at = row.sent_at ?? at;
    changes.reason = `settled by the provider's callback: ${event.type} (${event.properties.provider})`;
    effects.push(`the ${row.state === 'unknown' ? 'ambiguous' : 'released'} send is settled as sent`);
  }

  const earliest = (recorded: Date | null) => (recorded && recorded <= at ? recorded : at);
  switch (event.type) {
    case 'message.opened':
      changes.first_opened_at = earliest(row.first_opened_at);
      counted = 'open_count';
      effects.unshift('open recorded');
      break;
    case 'message.clicked':
      changes.first_clicked_at = earliest(row.first_clicked_at);
      counted = 'click_count';
      effects.unshift('click recorded');
      break;
    default: {
      if (event.type === 'message.delivered') changes.delivered_at = earliest(row.delivered_at);
      const report = statusReport(event);
      const recorded =
        row.delivery_status && row.delivery_status_at
          ? { status: row.delivery_status, at: row.delivery_status_at }
          : null;
      if (supersedes(report, recorded)) {
        changes.delivery_status = report.status;
        changes.delivery_status_at = report.at;
        changes.delivery_error = report.error;
        effects.unshift('delivery recorded');
      } else {
        effects.unshift(`delivery recorded; the ${recorded!.status} reported at ${recorded!.at.toISOString()} stands`);
      }
    }
  }
  await tx
    .updateTable('deliveries')
    .set((eb) => ({
      ...changes,
      ...(counted ? { [counted]: eb(counted, '+', 1) } : {}),
      updated_at: sql<Date>`now()`,
    }))
    .where('idempotency_key', '=', row.idempotency_key)
    .execute();
  return effects.join('; ');
}

function statusReport(
  event: Exclude<FeedbackEvent, { type: 'message.opened' | 'message.clicked' }>,
): StatusReport & { error: string | null } {
  const at = new Date(event.occurredAt);
  switch (event.type) {
    case 'message.delivered':
      return { status: 'delivered', at, error: null };
    case 'message.failed': {
      const { errorCode, reason } = event.properties;
      const error = [errorCode, reason].filter(Boolean).join(': ');
      return { status: 'failed', at, error: error ? maskPiiInText(error) : null };
    }
    case 'message.bounced': {
      const { bounceType, reason } = event.properties;
      return { status: 'bounced', at, error: maskPiiInText(`${bounceType} bounce${reason ? `: ${reason}` : ''}`) };
    }
    case 'message.complained':
      return { status: 'complained', at, error: 'the recipient reported it as spam' };
  }
}

interface SuppressionAsked {
  channel: Channel;
  reason: SuppressionReason;
  detail: string | null;
}

/** Hard bounces and complaints suppress the email address, a carrier opt-out the number; soft bounces nothing. */
function suppressionAsked(event: FeedbackEvent): SuppressionAsked | null {
  switch (event.type) {
    case 'message.bounced':
      return event.properties.bounceType === 'hard'
        ? { channel: 'email', reason: 'hard_bounce', detail: event.properties.reason ?? null }
        : null;
    case 'message.complained':
      return { channel: 'email', reason: 'complaint', detail: null };
    case 'message.failed':
      return event.properties.errorCode === CARRIER_OPT_OUT_ERROR
        ? { channel: 'sms', reason: 'carrier_opt_out', detail: event.properties.reason ?? null }
        : null;
    default:
      return null;
  }
}

const fitsChannel = (channel: Channel, address: string) =>
  channel === 'email' ? address.includes('@') : address.startsWith('+');

/** Suppresses the address the provider reported, else the customer's current one on that channel. */
async function suppress(tx: Db, event: FeedbackEvent, asked: SuppressionAsked): Promise<string> {
  const reported = 'address' in event.properties ? event.properties.address : undefined;
  let address = reported && fitsChannel(asked.channel, reported) ? reported : null;
  if (!address) {
    const profile = await findProfile(tx, event.customerId);
    address = (asked.channel === 'email' ? profile?.email : profile?.phone) ?? null;
  }
  if (!address) return `no ${asked.channel} address to suppress (${asked.reason})`;
  const added = await addSuppression(tx, {
    channel: asked.channel,
    address,
    reason: asked.reason,
    source: event.properties.provider,
    detail: asked.detail && maskPiiInText(asked.detail),
    customerId: event.customerId,
    messageId: event.properties.messageId,
    eventId: event.eventId,
  });
  return added
    ? `${asked.channel} address suppressed (${asked.reason})`
    : `${asked.channel} address already suppressed`;
}
