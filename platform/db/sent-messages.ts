import type { Db } from './database';
import type { Channel } from './schema';

/** One message of the ledger, as feedback about it needs it: whose, which journey and step. */
export interface SentMessage {
  messageId: string;
  providerMessageId: string | null;
  customerId: string;
  campaign: string;
  step: string;
  channel: Channel;
  /** The journey instance that sent it, read from its idempotency key (contract/journeys.ts deliveryKey). */
  journeyId: string;
  state: string;
}

/**
 * The ledger's message with our message ID (an email's Message-ID, an SMS's `sms-…`), or with the
 * provider's ID of it (a Twilio SID); null when no send of ours has it.
 */
export async function findSentMessage(
  db: Db,
  by: { messageId: string } | { providerMessageId: string },
): Promise<SentMessage | null> {
  const query = db
    .selectFrom('deliveries')
    .select([
      'idempotency_key',
      'message_id',
      'provider_message_id',
      'customer_id',
      'campaign',
      'step',
      'channel',
      'state',
    ]);
  const row = await (
    'messageId' in by
      ? query.where('message_id', '=', by.messageId)
      : query.where('provider_message_id', '=', by.providerMessageId)
  )
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!row?.message_id) return null;
  const journeyId = decodeURIComponent(row.idempotency_key.split(':')[2] ?? '');
  return {
    messageId: row.message_id,
    providerMessageId: row.provider_message_id,
    customerId: row.customer_id,
    campaign: row.campaign,
    step: row.step,
    channel: row.channel,
    journeyId,
    state: row.state,
  };
}
