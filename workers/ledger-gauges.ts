import { Gauge, register } from 'prom-client';
import type { Db } from '../platform/db/database';
import { countDeliveriesByState, countDeliveryStatuses } from '../platform/db/delivery-counts';
import type { Channel, DeliveryState, DeliveryStatus } from '../platform/db/schema';
import type { Logger } from '../platform/logger';

const STATES: DeliveryState[] = ['sending', 'retrying', 'sent', 'skipped', 'failed', 'unknown'];
const CHANNELS: Channel[] = ['email', 'sms'];
const STATUSES: DeliveryStatus[] = ['delivered', 'failed', 'bounced', 'complained'];
/** A scrape waits at most this long for the ledger's counts, then serves the other metrics without them. */
const QUERY_TIMEOUT_MS = 2_000;

interface LedgerSource {
  db: Db;
  logger: Logger;
  /** True while the last query failed: an outage is logged once, not at every scrape. */
  failing: boolean;
}

/** The worker whose database the gauges read; the newest one registered when a process runs several. */
const sources: LedgerSource[] = [];

async function readLedger<T>(read: (db: Db) => Promise<T>): Promise<T | null> {
  const source = sources.at(-1);
  if (!source) return null;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${QUERY_TIMEOUT_MS} ms`)), QUERY_TIMEOUT_MS);
    });
    const result = await Promise.race([read(source.db), timeout]);
    if (source.failing) source.logger.info('the ledger gauges read PostgreSQL again');
    source.failing = false;
    return result;
  } catch (error) {
    if (!source.failing)
      source.logger.warn({ err: error }, 'the ledger gauges cannot read PostgreSQL; /metrics serves the others');
    source.failing = true;
    return null;
  } finally {
    clearTimeout(timer);
  }
}

new Gauge({
  name: 'delivery_ledger_rows',
  help: 'Rows of the delivery ledger in each state, counted at each scrape',
  labelNames: ['state'],
  registers: [register],
  async collect() {
    const counts = await readLedger(countDeliveriesByState);
    this.reset();
    if (!counts) return;
    for (const state of STATES) this.set({ state }, counts.find((count) => count.state === state)?.rows ?? 0);
  },
});

new Gauge({
  name: 'delivery_status_rows',
  help: "Sends by the provider's last reported status and channel, counted at each scrape",
  labelNames: ['channel', 'status'],
  registers: [register],
  async collect() {
    const counts = await readLedger(countDeliveryStatuses);
    this.reset();
    if (!counts) return;
    for (const channel of CHANNELS)
      for (const status of STATUSES)
        this.set(
          { channel, status },
          counts.find((count) => count.channel === channel && count.status === status)?.rows ?? 0,
        );
  },
});

/** Lets the ledger gauges read `db` until the returned function is called (the worker stops). */
export function serveLedgerGauges(db: Db, logger: Logger): () => void {
  const source: LedgerSource = { db, logger, failing: false };
  sources.push(source);
  return () => {
    const index = sources.indexOf(source);
    if (index >= 0) sources.splice(index, 1);
  };
}
