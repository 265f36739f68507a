import { between, seededRandom } from '../chaos/rng';
import type { Campaign, FuzzAction, FuzzCustomer, FuzzEventType, FuzzSettings } from './scenario';

/**
 * Seeded per-customer event sequences. Each customer gets its own generator, derived from the run's
 * seed and the customer's index, so `--only <index>` replays exactly that customer's sequence.
 *
 * A customer opens one journey (a cart, a browse, a churn score, or a cart and a churn score close
 * together, which races the two journeys for the frequency cap), with a profile whose consent varies,
 * and then a random mix of: the entry published again (a flaky producer), a newer cart (the clock
 * restarts) or a stale one (ignored), events that mean nothing to its journey, a per-channel
 * unsubscribe, profile changes, and an exit (order, emptied cart, unsubscribe from all, operator's
 * cancel, a visit, a low score, a filled cart for browse) placed well before a step, right at its
 * due time (within ±200 ms), or after the last one; the exit itself sometimes published twice.
 */

export type Story = 'cart' | 'browse' | 'churn' | 'cart+churn';
const STORIES: Array<[Story, number]> = [
  ['cart', 0.45],
  ['browse', 0.2],
  ['churn', 0.25],
  ['cart+churn', 0.1],
];
const ENTRY_AT_MS = 1_000;
/** Exits and unsubscribes at a due time land within this much of it. */
export const TIGHT_MS = 200;

function pick<T>(random: () => number, weighted: Array<[T, number]>): T {
  let roll = random() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll <= 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/** A per-customer seed: the run's seed mixed with the index (so neighbours differ in every bit). */
export function customerSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

export interface GeneratedCustomer extends FuzzCustomer {
  story: Story;
}

export function generateCustomers(
  seed: number,
  count: number,
  runId: string,
  settings: FuzzSettings,
  spreadMs: number,
): GeneratedCustomer[] {
  return Array.from({ length: count }, (_, index) =>
    generateCustomer(seed, index, runId, settings, Math.floor((index * spreadMs) / Math.max(1, count))),
  );
}

export function generateCustomer(
  seed: number,
  index: number,
  runId: string,
  settings: FuzzSettings,
  startMs: number,
): GeneratedCustomer {
  const random = seededRandom(customerSeed(seed, index));
  const chance = (p: number) => random() < p;
  const customerId = `fuzz-${runId}-${index}`;
  const story = pick(random, STORIES);
  const phone = chance(0.8) ? `+1555${2_000_000 + index}` : null;
  const actions: FuzzAction[] = [];
  let serial = 0;
  const event = (
    atMs: number,
    type: FuzzEventType,
    properties: Record<string, unknown>,
    options: { skewMs?: number; note?: string } = {},
  ) => {
    serial += 1;
    const action: FuzzAction = {
      kind: 'event',
      atMs: Math.max(0, Math.round(atMs)),
      eventId: `${customerId}-e${serial}`,
      type,
      skewMs: options.skewMs ?? 0,
      properties,
      ...(options.note ? { note: options.note } : {}),
    };
    actions.push(action);
    return action;
  };
  const again = (action: FuzzAction, atMs: number, note: string) =>
    actions.push({ ...action, atMs: Math.round(atMs), note });
  const skew = () => between(random, -1_500, 1_500);
  const items = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      productId: `p${i + 1}`,
      name: `Product ${i + 1}`,
      quantity: 1 + i,
      price: 10 + i,
    }));

  event(
    0,
    'customer.updated',
    {
      email: `${customerId}@fuzz-${runId}.example`,
      firstName: 'Fuzz',
      emailOptIn: chance(0.92),
      ...(phone ? { phone, smsOptIn: chance(0.75) } : {}),
    },
    { note: 'profile' },
  );

  // Nominal due times of the steps (the model works from what actually happened; these only aim the exits).
  const dues: number[] = [];
  const exits: Array<() => FuzzAction> = [];
  const cartEntry = () => {
    const entrySkew = skew();
    const entry = event(
      ENTRY_AT_MS,
      'cart.updated',
      { cartId: `cart-${index}`, currency: 'EUR', items: items(1 + between(random, 0, 2)) },
      { skewMs: entrySkew, note: 'cart entry' },
    );
    let lastActivity = ENTRY_AT_MS + entrySkew;
    if (chance(0.25)) {
      const at = ENTRY_AT_MS + between(random, 500, 3_000);
      event(
        at,
        'cart.updated',
        { cartId: `cart-${index}`, currency: 'EUR', items: items(2) },
        { note: 'newer cart: the clock restarts' },
      );
      lastActivity = Math.max(lastActivity, at);
    } else if (chance(0.15)) {
      event(
        ENTRY_AT_MS + between(random, 500, 3_000),
        'cart.updated',
        { cartId: `cart-${index}`, currency: 'EUR', items: items(3) },
        { skewMs: -4_000, note: 'stale cart: ignored' },
      );
    }
    const { firstReminderDelay, secondReminderDelay, finalReminderDelay } = settings.cart;
    dues.push(
      lastActivity + firstReminderDelay,
      lastActivity + firstReminderDelay + secondReminderDelay,
      lastActivity + firstReminderDelay + secondReminderDelay + finalReminderDelay,
    );
    exits.push(
      () =>
        event(
          0,
          'order.placed',
          { orderId: `order-${index}`, cartId: `cart-${index}`, total: 10, currency: 'EUR' },
          { note: 'exit: order' },
        ),
      () =>
        event(
          0,
          'cart.updated',
          { cartId: `cart-${index}`, currency: 'EUR', items: [] },
          { note: 'exit: emptied cart' },
        ),
      () => ({ kind: 'cancel', atMs: 0, campaign: 'cart-abandonment', note: 'exit: operator cancel' }),
    );
    return entry;
  };
  const churnEntry = (atMs: number) => {
    const entry = event(
      atMs,
      'churn.risk_scored',
      { score: 0.7 + between(random, 0, 30) / 100, model: 'fuzz' },
      { skewMs: skew(), note: 'churn entry' },
    );
    const { offerDelay, finalDelay } = settings.churn;
    dues.push(atMs, atMs + offerDelay, atMs + offerDelay + finalDelay);
    exits.push(
      () => event(0, 'session.started', {}, { note: 'exit: visit' }),
      () =>
        event(
          0,
          'churn.risk_scored',
          { score: between(random, 0, 60) / 100, model: 'fuzz' },
          { note: 'exit: low score' },
        ),
      () => ({ kind: 'cancel', atMs: 0, campaign: 'churn-retention', note: 'exit: operator cancel' }),
    );
    return entry;
  };

  const entries: FuzzAction[] = [];
  if (story === 'cart' || story === 'cart+churn') entries.push(cartEntry());
  if (story === 'cart+churn')
    entries.push(churnEntry(ENTRY_AT_MS + settings.cart.firstReminderDelay + between(random, -1_500, 1_500)));
  if (story === 'churn') entries.push(churnEntry(ENTRY_AT_MS));
  if (story === 'browse') {
    const entrySkew = skew();
    entries.push(
      event(
        ENTRY_AT_MS,
        'product.viewed',
        { productId: 'hat-1', name: 'Straw hat', price: 25, currency: 'EUR', url: 'https://storefront.example/hat-1' },
        { skewMs: entrySkew, note: 'browse entry' },
      ),
    );
    let lastView = ENTRY_AT_MS + entrySkew;
    if (chance(0.4)) {
      const at = ENTRY_AT_MS + between(random, 500, 2_500);
      event(
        at,
        'product.viewed',
        { productId: 'scarf-2', name: 'Scarf' },
        { note: 'another view: the clock restarts' },
      );
      lastView = Math.max(lastView, at);
    }
    dues.push(lastView + settings.browse.emailDelay);
    exits.push(
      () =>
        event(
          0,
          'cart.updated',
          { cartId: `cart-${index}`, currency: 'EUR', items: items(1) },
          { note: 'exit: moved to cart' },
        ),
      () => event(0, 'order.placed', { orderId: `order-${index}` }, { note: 'exit: order' }),
      () => ({ kind: 'cancel', atMs: 0, campaign: 'browse-abandonment', note: 'exit: operator cancel' }),
    );
  }
  exits.push(() => event(0, 'customer.unsubscribed', { channel: 'all' }, { note: 'exit: unsubscribe from all' }));
  const lastDue = Math.max(...dues);
  const atDue = () => dues[between(random, 0, dues.length - 1)]! + between(random, -TIGHT_MS, TIGHT_MS);
  const when = (): number =>
    pick<() => number>(random, [
      [atDue, 0.45],
      [() => dues[between(random, 0, dues.length - 1)]! - between(random, 2_500, 4_000), 0.3],
      [() => lastDue + between(random, 2_000, 4_000), 0.25],
    ])();

  for (const entry of entries)
    if (chance(0.3)) again(entry, entry.atMs + between(random, 200, lastDue), 'entry published again');
  // Events that mean nothing to this customer's journeys (no journey of theirs listens).
  if (story !== 'churn' && story !== 'cart+churn' && chance(0.2))
    event(between(random, 1_500, lastDue), 'session.started', {}, { note: 'no churn journey: nothing' });
  if (story !== 'churn' && story !== 'cart+churn' && chance(0.15))
    event(
      between(random, 1_500, lastDue),
      'churn.risk_scored',
      { score: 0.3 },
      { note: 'low score, no churn journey: nothing' },
    );
  if (chance(0.15))
    event(
      between(random, 1_500, lastDue),
      'customer.updated',
      { firstName: 'Renamed' },
      { note: 'profile change without consent' },
    );
  if (chance(0.15)) {
    const channel = chance(0.5) ? 'email' : 'sms';
    event(when(), 'customer.unsubscribed', { channel }, { note: `unsubscribe from ${channel}` });
  }
  if (phone && chance(0.1))
    event(when(), 'customer.updated', { smsOptIn: chance(0.5) }, { note: 'SMS consent changed' });
  if (chance(0.6)) {
    const exit = exits[between(random, 0, exits.length - 1)]!();
    exit.atMs = Math.max(ENTRY_AT_MS + 1_500, Math.round(when()));
    if (exit.kind === 'cancel') actions.push(exit);
    if (exit.kind === 'event' && chance(0.2))
      again(exit, exit.atMs + between(random, 100, 3_000), 'exit published again');
  }
  actions.sort((a, b) => a.atMs - b.atMs);
  return { index, customerId, email: `${customerId}@fuzz-${runId}.example`, phone, startMs, actions, story };
}

/** The campaigns a story opens (the fuzzer reads their journeys' outcomes). */
export const CAMPAIGNS_OF: Record<Story, Campaign[]> = {
  cart: ['cart-abandonment'],
  browse: ['browse-abandonment'],
  churn: ['churn-retention'],
  'cart+churn': ['cart-abandonment', 'churn-retention'],
};
