import { Client } from 'pg';
import type { Delivery } from '../chaos/inbox';
import { createDb, migrateToLatest } from '../../platform/db/database';
import type { Campaign } from './scenario';
import type { Received } from './verdict';

/** The fuzz run's own database, and what its delivery ledger says about the messages that arrived. */

/** A fresh, migrated database on the same server, dropped at the end. */
export async function createRunDatabase(
  serverUrl: string,
  name: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = createDb(url.toString(), 1);
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return {
    name,
    url: url.toString(),
    async drop() {
      const dropper = new Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

const stripBrackets = (id: string) => id.replace(/^<|>$/g, '');

export interface LedgerRow {
  customer_id: string;
  campaign: string;
  step: string;
  channel: string;
  state: string;
  attempts: number;
  reason: string | null;
  message_id: string | null;
  provider_message_id: string | null;
  contact_at: Date | null;
}

export async function ledgerRows(databaseUrl: string, customerIds: string[]): Promise<LedgerRow[]> {
  const db = createDb(databaseUrl, 2);
  const rows: LedgerRow[] = [];
  try {
    for (let from = 0; from < customerIds.length; from += 500) {
      rows.push(
        ...(await db
          .selectFrom('deliveries')
          .select([
            'customer_id',
            'campaign',
            'step',
            'channel',
            'state',
            'attempts',
            'reason',
            'message_id',
            'provider_message_id',
            'contact_at',
          ])
          .where('customer_id', 'in', customerIds.slice(from, from + 500))
          .execute()),
      );
    }
  } finally {
    await db.destroy();
  }
  return rows;
}

/**
 * Names each delivered message (campaign, step) from the delivery ledger: email by Message-ID, SMS
 * by the provider's ID, else by its text.
 */
export function identify(rows: LedgerRow[], deliveries: Map<string, Delivery[]>): Map<string, Received[]> {
  const byMessageId = new Map(rows.filter((row) => row.message_id).map((row) => [stripBrackets(row.message_id!), row]));
  const byProviderId = new Map(
    rows.filter((row) => row.provider_message_id).map((row) => [row.provider_message_id!, row]),
  );
  const result = new Map<string, Received[]>();
  for (const [customerId, list] of deliveries) {
    result.set(
      customerId,
      list.map((delivery) => {
        const row =
          delivery.channel === 'email' ? byMessageId.get(stripBrackets(delivery.id)) : byProviderId.get(delivery.id);
        if (row)
          return {
            channel: delivery.channel,
            id: delivery.id,
            at: delivery.at,
            campaign: row.campaign as Campaign,
            step: row.step,
            contactAt: row.contact_at?.getTime() ?? null,
          };
        const bySms =
          delivery.text === undefined
            ? null
            : /miss you/i.test(delivery.text)
              ? { campaign: 'churn-retention' as const, step: 'day-3' }
              : /cart/i.test(delivery.text)
                ? { campaign: 'cart-abandonment' as const, step: 'reminder-2' }
                : null;
        const contactAt = bySms
          ? (rows
              .find(
                (r) =>
                  r.customer_id === customerId &&
                  r.campaign === bySms.campaign &&
                  r.step === bySms.step &&
                  r.channel === 'sms',
              )
              ?.contact_at?.getTime() ?? null)
          : null;
        return {
          channel: delivery.channel,
          id: delivery.id,
          at: delivery.at,
          campaign: bySms?.campaign ?? null,
          step: bySms?.step ?? null,
          contactAt,
        };
      }),
    );
  }
  return result;
}
