import type { Campaign, Channel, FaultKind, FaultWindow, FuzzSettings, TimedAction } from './scenario';

/**
 * The reference model: what one customer must, may and must not receive, from the customer's events
 * as published, the settings and the faults, following docs/JOURNEYS.md and docs/DELIVERY.md only
 * (it imports nothing from workflows/). Time is uncertain, so every instant is an interval:
 * an event takes effect between its publication and `eventLatencyMs` later (longer when a fault
 * stalls the path), a send happens between its due time and `sendLatencyMs` later (longer when a
 * fault holds it). When the order of an exit (or a consent change) and a send cannot be told from
 * the intervals, the message MAY arrive; when an exit certainly came first, it MUST NOT.
 */

export type Expectation = 'must' | 'may' | 'mustNot';
export type Why =
  | 'planned'
  | 'exit race'
  | 'consent race'
  | 'fault may lose it'
  | 'cap race'
  | 'settings race'
  | 'pause race'
  | 'held by a pause'
  | 'after exit'
  | 'no consent'
  | 'entered while paused'
  | 'not planned';

export interface ExpectedMessage {
  campaign: Campaign;
  step: string;
  channel: Channel;
  expectation: Expectation;
  why: Why;
  /** When the step was due at the earliest (0 when not planned). */
  dueAt: number;
  /** How much later it may have been due (the clock it counts from is itself uncertain). */
  dueSpreadMs: number;
  /** For `after exit`: when the first exit that certainly came before it was published. */
  exitPublishedAt?: number;
  /** When the send could happen (zero-width when not planned). */
  window: Interval;
}

export interface ModelTiming {
  eventLatencyMs: number;
  /** From a step's due time until its send starts (the worker runs the timer's task), at least. */
  sendLatencyMs: number;
  /** The same as measured in the run around a due time (see `lagFromLedger`), when it is longer. */
  sendLagAt?: (dueMs: number) => number;
  /**
   * From an exit reaching a journey until an attempt already running hears of it: the journey's
   * task cancels the send, and the attempt learns of it from its next heartbeat (at most 1 s apart).
   */
  cancelLatencyMs: number;
  /** After a fault is repaired, how long until the path it broke works again. */
  recoveryMs: Record<FaultKind, number>;
}

export const MODEL_TIMING: ModelTiming = {
  eventLatencyMs: 2_000,
  sendLatencyMs: 2_000,
  cancelLatencyMs: 2_000,
  recoveryMs: {
    // a held send retries with backoff doubling from 1 s: its next attempt comes within the fault's own
    // length (see recoveryOf)
    'smtp refuse': 3_000,
    'smtp black hole': 3_000,
    'smtp slow': 5_000,
    'smtp auth failure': 3_000,
    'smtp 4xx': 3_000,
    'smtp 5xx incident': 3_000,
    'twilio refuse': 3_000,
    'twilio black hole': 3_000,
    'twilio slow': 5_000,
    'twilio auth failure': 3_000,
    'twilio 5xx': 3_000,
    // a killed bridge's partitions move after the consumer session times out; a killed worker's tasks after
    // the heartbeat timeout (a bridge counts as repaired once it consumes again, after the group rebalanced)
    'kill -9 worker': 15_000,
    'kill -9 bridge': 10_000,
    'restart Temporal': 20_000,
    'restart Kafka': 30_000,
    'restart PostgreSQL': 20_000,
  },
};

export interface Interval {
  lo: number;
  hi: number;
}

const SMS_PROVIDER: FaultKind[] = [
  'twilio refuse',
  'twilio black hole',
  'twilio slow',
  'twilio auth failure',
  'twilio 5xx',
];
const SMTP_PROVIDER: FaultKind[] = [
  'smtp refuse',
  'smtp black hole',
  'smtp slow',
  'smtp auth failure',
  'smtp 4xx',
  'smtp 5xx incident',
];
/** Faults during which no message on the channel can get through. */
const BLOCKING: FaultKind[] = [
  'smtp refuse',
  'smtp black hole',
  'smtp auth failure',
  'smtp 4xx',
  'smtp 5xx incident',
  'twilio refuse',
  'twilio black hole',
  'twilio auth failure',
  'twilio 5xx',
];
/**
 * Blocking faults that fail an attempt at once; in the others (a black hole) an attempt that began
 * before may hang through and succeed.
 */
const FAIL_FAST: FaultKind[] = [
  'smtp refuse',
  'smtp auth failure',
  'smtp 4xx',
  'smtp 5xx incident',
  'twilio refuse',
  'twilio auth failure',
  'twilio 5xx',
];
/** Faults that delay events on their way to a journey. */
const EVENT_PATH: FaultKind[] = [
  'kill -9 bridge',
  'kill -9 worker',
  'restart Temporal',
  'restart Kafka',
  'restart PostgreSQL',
];
/** Faults that delay sends on any channel. */
const SEND_PATH: FaultKind[] = ['kill -9 worker', 'restart Temporal', 'restart PostgreSQL'];
/**
 * Faults after which a message may never arrive, as documented: a worker killed between the
 * reservation and the provider leaves the key `unknown` (at most once), an SMTP 5xx is final.
 */
const LOSSY: FaultKind[] = ['kill -9 worker', 'smtp 5xx incident'];

const providerFaults = (channel: Channel) => (channel === 'email' ? SMTP_PROVIDER : SMS_PROVIDER);
const overlaps = (a: Interval, from: number, to: number) => from <= a.hi && to >= a.lo;

export class CustomerModel {
  constructor(
    private readonly settings: FuzzSettings,
    private readonly faults: FaultWindow[],
    private readonly timing: ModelTiming = MODEL_TIMING,
  ) {}

  /**
   * When an event whose publication began at `publishedAt` (acknowledged at `ackedAt`) is seen by the
   * journeys: by `handledBy` when the bridge was seen to have handled it, else within the latency,
   * stretched by the faults on its path.
   */
  effect(publishedAt: number, ackedAt = publishedAt, handledBy?: number): Interval {
    if (handledBy !== undefined) return { lo: publishedAt, hi: Math.max(publishedAt, handledBy) };
    const window = { lo: publishedAt, hi: Math.max(publishedAt, ackedAt) + this.timing.eventLatencyMs };
    return this.stretch(window, EVENT_PATH);
  }

  /**
   * When a send due in `due` reaches the provider, the first moment it can, by when an exit must
   * reach the journey to stop it for certain, and whether a fault may lose it.
   */
  send(
    due: Interval,
    channel: Channel,
  ): { window: Interval; firstChance: number; stopBy: number; lastCheck: number; mayBeLost: boolean } {
    const kinds = [...SEND_PATH, ...providerFaults(channel)];
    const latency = Math.max(this.timing.sendLatencyMs, this.timing.sendLagAt?.(due.lo) ?? 0);
    const window = this.stretch({ lo: due.lo, hi: due.hi + latency }, kinds);
    let firstChance = window.lo;
    let lastCheck = window.lo;
    // an attempt hanging in a black hole goes through when the hole closes, unless a heartbeat carried the cancel first
    let stopBy = Infinity;
    for (const fault of [...this.faults].sort((a, b) => a.from - b.from)) {
      if (!providerFaults(channel).includes(fault.kind)) continue;
      if (BLOCKING.includes(fault.kind) && fault.from <= firstChance && fault.to >= firstChance) {
        if (!FAIL_FAST.includes(fault.kind)) stopBy = Math.min(stopBy, fault.to - this.timing.cancelLatencyMs);
        firstChance = fault.to;
      }
      if (FAIL_FAST.includes(fault.kind) && fault.from <= lastCheck && fault.to >= lastCheck) lastCheck = fault.to;
    }
    stopBy = Math.min(stopBy, firstChance);
    // in flight: from the due time to the first attempt after the faults that held it (backoff doubles,
    // so that attempt comes within as long again as the send was held), plus the send itself
    const held = Math.max(0, firstChance - window.lo);
    const inFlight = { lo: window.lo, hi: Math.max(due.hi, firstChance + held) + latency };
    const mayBeLost = this.faults.some(
      (fault) =>
        overlaps(inFlight, fault.from, fault.to) &&
        (LOSSY.includes(fault.kind) || (providerFaults(channel).includes(fault.kind) && fault.from >= inFlight.lo)),
    );
    // consent is checked before each attempt: an attempt hanging in a black hole was checked before it
    return { window, firstChance, stopBy, lastCheck: Math.min(lastCheck, firstChance), mayBeLost };
  }

  private recoveryOf(fault: FaultWindow): number {
    const provider = SMTP_PROVIDER.includes(fault.kind) || SMS_PROVIDER.includes(fault.kind);
    return this.timing.recoveryMs[fault.kind] + (provider ? fault.to - fault.from : 0);
  }

  private stretch(window: Interval, kinds: FaultKind[]): Interval {
    const stretched = { ...window };
    for (let round = 0; round < 10; round += 1) {
      const before = stretched.hi;
      for (const fault of this.faults) {
        if (kinds.includes(fault.kind) && overlaps(stretched, fault.from, fault.to))
          stretched.hi = Math.max(stretched.hi, fault.to + this.recoveryOf(fault));
      }
      if (stretched.hi === before) break;
    }
    return stretched;
  }
}

interface Seen {
  action: TimedAction & { kind: 'event' };
  effect: Interval;
}
interface Exit {
  effect: Interval;
  reason: string;
  publishedAt: number;
  viaKafka: boolean;
}

/**
 * The exits a journey entered by `entry` sees. Events share the customer's Kafka key, so one
 * published after the entry reaches the journey after it; an operator's cancel goes straight to
 * Temporal and finds no journey if it overtakes the entry, so one that close may not happen at all.
 */
function exitsAfter(entry: Seen, exits: Exit[]): Exit[] {
  return exits.flatMap((exit) => {
    if (exit.viaKafka) return exit.publishedAt > entry.action.publishedAt ? [exit] : [];
    if (exit.effect.lo > entry.effect.hi) return [exit];
    return exit.effect.hi >= entry.effect.lo ? [{ ...exit, effect: { lo: exit.effect.lo, hi: Infinity } }] : [];
  });
}
type Consent = 'yes' | 'no' | 'uncertain';

/** Consent and address per channel over time, from customer.updated and customer.unsubscribed. */
class ConsentTimeline {
  private readonly changes: Array<{ channel: Channel; value: boolean; effect: Interval; publishedAt: number }> = [];
  private readonly hasPhone: boolean;

  constructor(events: Seen[]) {
    const freshness: Record<string, number> = {};
    let phone = false;
    for (const { action, effect } of events) {
      if (action.type === 'customer.updated') {
        const properties = action.properties as { emailOptIn?: boolean; smsOptIn?: boolean; phone?: string };
        if (properties.phone) phone = true;
        for (const [field, channel] of [
          ['emailOptIn', 'email'],
          ['smsOptIn', 'sms'],
        ] as const) {
          const value = properties[field];
          if (value === undefined || action.occurredAtMs < (freshness[field] ?? -Infinity)) continue;
          freshness[field] = action.occurredAtMs;
          this.changes.push({ channel, value, effect, publishedAt: action.publishedAt });
        }
      } else if (action.type === 'customer.unsubscribed') {
        // An opt-out applies whatever its timestamp.
        const channel = (action.properties as { channel: 'email' | 'sms' | 'all' }).channel;
        for (const affected of channel === 'all' ? (['email', 'sms'] as const) : [channel])
          this.changes.push({ channel: affected, value: false, effect, publishedAt: action.publishedAt });
      }
    }
    this.hasPhone = phone;
  }

  /**
   * Consent for a send in `window`; a change published before the journey's entry is applied before
   * it (one Kafka key, one order).
   */
  at(channel: Channel, window: Interval, lastCheck: number, entryPublishedAt: number): Consent {
    if (channel === 'sms' && !this.hasPhone) return 'no';
    let certain = false;
    const possible = new Set<boolean>();
    for (const change of this.changes.filter((c) => c.channel === channel)) {
      if (change.effect.hi < lastCheck || change.publishedAt < entryPublishedAt) {
        certain = change.value;
        possible.clear();
      } else if (change.effect.lo <= window.hi) {
        possible.add(change.value);
      }
    }
    possible.add(certain);
    if (possible.size > 1) return 'uncertain';
    return certain ? 'yes' : 'no';
  }
}

/** The messages of one customer, each (campaign, step, channel) with what must happen to it. */
export function expectedMessages(
  actions: TimedAction[],
  settings: FuzzSettings,
  faults: FaultWindow[],
  timing: ModelTiming = MODEL_TIMING,
): ExpectedMessage[] {
  const model = new CustomerModel(settings, faults, timing);
  const ordered = [...actions].sort((a, b) => a.publishedAt - b.publishedAt);
  const seenIds = new Set<string>();
  const events: Seen[] = [];
  const cancels: Array<{ campaign: Campaign; effect: Interval; publishedAt: number }> = [];
  for (const action of ordered) {
    if (action.kind === 'cancel') {
      cancels.push({
        campaign: action.campaign,
        effect: model.effect(action.publishedAt, action.ackedAt),
        publishedAt: action.publishedAt,
      });
      continue;
    }
    if (seenIds.has(action.eventId)) continue; // a duplicate changes nothing
    seenIds.add(action.eventId);
    events.push({ action, effect: model.effect(action.publishedAt, action.ackedAt, action.handledBy) });
  }
  const consent = new ConsentTimeline(events);
  const unsubscribedAll = exitEvents(
    events,
    (e) => e.action.type === 'customer.unsubscribed' && (e.action.properties as { channel: string }).channel === 'all',
    'unsubscribed',
  );
  const orders = exitEvents(events, (e) => e.action.type === 'order.placed', 'converted');
  const cancelled = (campaign: Campaign): Exit[] =>
    cancels
      .filter((c) => c.campaign === campaign)
      .map((c) => ({ effect: c.effect, reason: 'cancelled', publishedAt: c.publishedAt, viaKafka: false }));
  const context: JourneyContext = { settings, model, consent };

  const others = () => [
    ...browseJourney(events, [...unsubscribedAll, ...orders, ...cancelled('browse-abandonment')], context),
    ...churnJourney(events, [...unsubscribedAll, ...orders, ...cancelled('churn-retention')], context),
  ];
  const cartExits = [...unsubscribedAll, ...orders, ...cancelled('cart-abandonment')];
  let messages = [...cartJourney(events, cartExits, context), ...others()];
  markCapRaces(messages, settings.frequencyWindow, timing.sendLatencyMs);
  // A cart step the cap may have skipped leaves the next step's clock where it was: plan the cart again with that.
  const capMaySkip = capContested(messages, 'cart-abandonment', settings.frequencyWindow, timing.sendLatencyMs);
  if (capMaySkip.size > 0) {
    messages = [...cartJourney(events, cartExits, context, capMaySkip), ...others()];
    markCapRaces(messages, settings.frequencyWindow, timing.sendLatencyMs);
  }
  return messages;
}

function exitEvents(events: Seen[], matches: (event: Seen) => boolean, reason: string): Exit[] {
  return events
    .filter(matches)
    .map((e) => ({ effect: e.effect, reason, publishedAt: e.action.publishedAt, viaKafka: true }));
}

interface JourneyContext {
  settings: FuzzSettings;
  model: CustomerModel;
  consent: ConsentTimeline;
}

/**
 * When an event happened by the journey's clock (docs/JOURNEYS.md): its occurredAt, but never later
 * than the moment it reached the journey, which lies somewhere in its effect interval.
 */
function journeyTime(event: Seen): Interval {
  return {
    lo: Math.min(event.action.occurredAtMs, event.effect.lo),
    hi: Math.min(event.action.occurredAtMs, event.effect.hi),
  };
}

type Planned = ExpectedMessage;

/** One send of a journey: what must happen to it, and when the journey's last message could be. */
function planSend(
  campaign: Campaign,
  step: string,
  channel: Channel,
  due: Interval,
  exits: Exit[],
  context: JourneyContext & { entryPublishedAt: number },
): Planned & { sent: 'yes' | 'no' | 'maybe'; firstChance: number } {
  const { window, firstChance, stopBy, lastCheck, mayBeLost } = context.model.send(due, channel);
  const base = { campaign, step, channel, dueAt: due.lo, dueSpreadMs: due.hi - due.lo, window, firstChance };
  // an exit cancels even a send in flight, if heard in time; consent is checked before each attempt
  const before = exits.filter((exit) => exit.effect.hi < stopBy);
  if (before.length)
    return {
      ...base,
      expectation: 'mustNot',
      why: 'after exit',
      sent: 'no',
      exitPublishedAt: Math.min(...before.map((exit) => exit.publishedAt)),
    };
  const consent = context.consent.at(channel, window, lastCheck, context.entryPublishedAt);
  if (consent === 'no') return { ...base, expectation: 'mustNot', why: 'no consent', sent: 'no' };
  const exitRace = exits.some((exit) => exit.effect.lo <= window.hi);
  if (exitRace) return { ...base, expectation: 'may', why: 'exit race', sent: 'maybe' };
  if (consent === 'uncertain') return { ...base, expectation: 'may', why: 'consent race', sent: 'maybe' };
  if (mayBeLost) return { ...base, expectation: 'may', why: 'fault may lose it', sent: 'maybe' };
  return { ...base, expectation: 'must', why: 'planned', sent: 'yes' };
}

const notPlanned = (campaign: Campaign, step: string, channel: Channel): Planned => ({
  campaign,
  step,
  channel,
  expectation: 'mustNot',
  why: 'not planned',
  dueAt: 0,
  dueSpreadMs: 0,
  window: { lo: 0, hi: 0 },
});

/** The cart journey: three reminders, each `delay` after the later of the last cart activity and the last message. */
function cartJourney(
  events: Seen[],
  exits: Exit[],
  context: JourneyContext,
  capMaySkip: ReadonlySet<string> = new Set(),
): Planned[] {
  const steps = [
    { step: 'reminder-1', delay: context.settings.cart.firstReminderDelay },
    { step: 'reminder-2', delay: context.settings.cart.secondReminderDelay },
    { step: 'final', delay: context.settings.cart.finalReminderDelay },
  ];
  const all = [
    notPlanned('cart-abandonment', 'reminder-1', 'email'),
    notPlanned('cart-abandonment', 'reminder-2', 'sms'),
    notPlanned('cart-abandonment', 'reminder-2', 'email'),
    notPlanned('cart-abandonment', 'final', 'email'),
  ];
  const carts = events.filter((e) => e.action.type === 'cart.updated');
  const entry = carts.find((e) => (e.action.properties as { items: unknown[] }).items.length > 0);
  if (!entry) return all;
  // cart updates after the entry, in the order the journey sees them; a stale one is ignored
  let newest = entry.action.occurredAtMs;
  const activity: Array<{ at: Interval; effect: Interval }> = [];
  const journeyExits = exitsAfter(entry, exits);
  for (const cart of carts.slice(carts.indexOf(entry) + 1)) {
    if (cart.action.occurredAtMs < newest) continue;
    newest = cart.action.occurredAtMs;
    if ((cart.action.properties as { items: unknown[] }).items.length === 0)
      journeyExits.push({
        effect: cart.effect,
        reason: 'cart_emptied',
        publishedAt: cart.action.publishedAt,
        viaKafka: true,
      });
    else activity.push({ at: journeyTime(cart), effect: cart.effect });
  }
  const lastMessage: Interval = { lo: -Infinity, hi: -Infinity };
  const results: Planned[] = [];
  const journey = { ...context, entryPublishedAt: entry.action.publishedAt };
  let previousDue: Interval = { lo: -Infinity, hi: -Infinity };
  for (const { step, delay } of steps) {
    // the clock restarts at the newest cart activity certainly seen before the step, or the last message
    let dueLo = Math.max(journeyTime(entry).lo, lastMessage.lo) + delay;
    for (const update of activity) if (update.effect.hi < dueLo) dueLo = Math.max(dueLo, update.at.lo + delay);
    const lastCartMaybe = Math.max(journeyTime(entry).hi, ...activity.map((a) => a.at.hi));
    // the journey takes its steps in turn: a step is never due before the one before it (skipped or not)
    const due = {
      lo: Math.max(dueLo, entry.effect.lo, previousDue.lo),
      hi: Math.max(Math.max(lastCartMaybe, lastMessage.hi) + delay, entry.effect.hi, previousDue.hi),
    };
    previousDue = due;
    const channels: Channel[] = step === 'reminder-2' ? smsOrEmail(due, journey) : ['email'];
    if (step === 'reminder-2' && channels.length === 1 && channels[0] === 'email' && context.settings.smsProvider) {
      results.push(planSend('cart-abandonment', step, 'sms', due, journeyExits, journey));
    }
    let anySent: 'yes' | 'no' | 'maybe' = 'no';
    let window: Interval | null = null;
    for (const channel of channels) {
      const planned = planSend('cart-abandonment', step, channel, due, journeyExits, journey);
      if (channels.length > 1 && planned.expectation === 'must') planned.expectation = 'may';
      if (channels.length > 1 && planned.why === 'planned') planned.why = 'consent race';
      results.push(planned);
      if (planned.sent !== 'no') {
        // a step that may not have gone out because of an exit leaves no later step either way
        anySent = anySent === 'yes' || planned.sent === 'yes' || planned.why === 'exit race' ? 'yes' : 'maybe';
        window = window
          ? { lo: Math.min(window.lo, planned.window.lo), hi: Math.max(window.hi, planned.window.hi) }
          : planned.window;
      }
    }
    // A step the frequency cap may have skipped (another journey's message took the slot) does not move the clock.
    if (window && anySent === 'yes' && channels.length === 1 && !capMaySkip.has(step)) {
      lastMessage.lo = window.lo;
      lastMessage.hi = window.hi;
    } else if (window) lastMessage.hi = Math.max(lastMessage.hi, window.hi);
  }
  return mergeWithAll(all, results);
}

/**
 * Reminder 2 goes by SMS when the customer can get one, by email otherwise; both are possible while
 * consent is changing.
 */
function smsOrEmail(due: Interval, context: JourneyContext & { entryPublishedAt: number }): Channel[] {
  if (!context.settings.smsProvider) return ['email'];
  const { window, lastCheck } = context.model.send(due, 'sms');
  const sms = context.consent.at('sms', window, lastCheck, context.entryPublishedAt);
  return sms === 'yes' ? ['sms'] : sms === 'no' ? ['email'] : ['sms', 'email'];
}

function mergeWithAll(all: Planned[], results: Planned[]): Planned[] {
  return all.map((slot) => results.find((r) => r.step === slot.step && r.channel === slot.channel) ?? slot);
}

/**
 * The browse journey: one email `emailDelay` after the last view; a cart with items moves the
 * customer to the cart journey.
 */
function browseJourney(events: Seen[], exits: Exit[], context: JourneyContext): Planned[] {
  const views = events.filter((e) => e.action.type === 'product.viewed');
  if (views.length === 0) return [notPlanned('browse-abandonment', 'browse-email', 'email')];
  const entry = views[0]!;
  const movedToCart = exitEvents(
    events,
    (e) => e.action.type === 'cart.updated' && (e.action.properties as { items: unknown[] }).items.length > 0,
    'moved_to_cart',
  );
  const lastView = Math.max(...views.map((v) => journeyTime(v).hi));
  const firstView = journeyTime(entry).lo;
  const due = {
    lo: Math.max(firstView + context.settings.browse.emailDelay, entry.effect.lo),
    hi: Math.max(lastView + context.settings.browse.emailDelay, entry.effect.hi),
  };
  // A cart journey running when the email is due suppresses it: such a cart also moved the customer out.
  return [
    planSend('browse-abandonment', 'browse-email', 'email', due, exitsAfter(entry, [...exits, ...movedToCart]), {
      ...context,
      entryPublishedAt: entry.action.publishedAt,
    }),
  ];
}

/**
 * The churn journey: the win-back email at entry, an SMS `offerDelay` after it, a last email
 * `finalDelay` after that.
 */
function churnJourney(events: Seen[], exits: Exit[], context: JourneyContext): Planned[] {
  const { threshold, offerDelay, finalDelay } = context.settings.churn;
  const scores = events.filter((e) => e.action.type === 'churn.risk_scored');
  const entry = scores.find((e) => (e.action.properties as { score: number }).score >= threshold);
  const slots = [
    notPlanned('churn-retention', 'day-0', 'email'),
    notPlanned('churn-retention', 'day-3', 'sms'),
    notPlanned('churn-retention', 'day-7', 'email'),
  ];
  if (!entry) return slots;
  const journeyExits = exitsAfter(entry, [
    ...exits,
    ...exitEvents(events, (e) => e.action.type === 'session.started', 'customer_returned'),
  ]);
  let newest = entry.action.occurredAtMs;
  for (const score of scores.slice(scores.indexOf(entry) + 1)) {
    if (score.action.occurredAtMs < newest) continue;
    newest = score.action.occurredAtMs;
    if ((score.action.properties as { score: number }).score < threshold)
      journeyExits.push({
        effect: score.effect,
        reason: 'score_dropped',
        publishedAt: score.action.publishedAt,
        viaKafka: true,
      });
  }
  const relevant = journeyExits;
  const results: Planned[] = [];
  let previous: Interval = entry.effect;
  for (const [step, channel, delay] of [
    ['day-0', 'email', 0],
    ['day-3', 'sms', offerDelay],
    ['day-7', 'email', finalDelay],
  ] as const) {
    const due = { lo: previous.lo + delay, hi: previous.hi + delay };
    const planned = planSend('churn-retention', step, channel, due, relevant, {
      ...context,
      entryPublishedAt: entry.action.publishedAt,
    });
    results.push(planned);
    // the next step counts from when this one was done, sent or skipped
    previous =
      planned.sent === 'no' && planned.why === 'no consent' ? context.model.send(due, channel).window : planned.window;
    if (planned.why === 'after exit') previous = { lo: Infinity, hi: Infinity };
  }
  return mergeWithAll(slots, results);
}

/**
 * The steps of `campaign` that another journey's send on the same channel could have beaten to the
 * cap, whatever else is said of them.
 */
function capContested(messages: Planned[], campaign: Campaign, windowMs: number, slackMs: number): Set<string> {
  const live = messages.filter((m) => m.expectation !== 'mustNot');
  const contested = live.filter(
    (a) =>
      a.campaign === campaign &&
      live.some(
        (b) =>
          b.campaign !== campaign &&
          b.channel === a.channel &&
          a.window.lo - windowMs - slackMs <= b.window.hi &&
          b.window.lo - windowMs - slackMs <= a.window.hi,
      ),
  );
  return new Set(contested.map((m) => m.step));
}

/**
 * Two sends on one channel, from different journeys, that could fall within the cap window: either
 * may be the one skipped.
 */
function markCapRaces(messages: Planned[], windowMs: number, slackMs: number): void {
  const live = messages.filter((m) => m.expectation !== 'mustNot');
  for (const a of live) {
    for (const b of live) {
      if (a === b || a.campaign === b.campaign || a.channel !== b.channel) continue;
      if (
        a.window.lo - windowMs - slackMs <= b.window.hi &&
        b.window.lo - windowMs - slackMs <= a.window.hi &&
        a.expectation === 'must'
      ) {
        a.expectation = 'may';
        a.why = 'cap race';
      }
    }
  }
}

/**
 * The worker's lag as measured in a run: for each send the ledger recorded, its contact time (the
 * journey's clock when it asked to send) minus the model's due time, the longest within 10 s of a
 * due time, plus 500 ms. Under load a timer's task can wait seconds for a worker.
 */
export function lagFromLedger(samples: Array<{ dueAt: number; contactAt: number }>): (dueMs: number) => number {
  const BUCKET_MS = 5_000;
  const worst = new Map<number, number>();
  for (const { dueAt, contactAt } of samples) {
    const bucket = Math.floor(dueAt / BUCKET_MS);
    worst.set(bucket, Math.max(worst.get(bucket) ?? 0, contactAt - dueAt));
  }
  return (dueMs) => {
    if (!Number.isFinite(dueMs)) return 0; // a step that never comes
    const bucket = Math.floor(dueMs / BUCKET_MS);
    let lag = 0;
    for (let b = bucket - 2; b <= bucket + 2; b += 1) lag = Math.max(lag, worst.get(b) ?? 0);
    return lag + 500;
  };
}
