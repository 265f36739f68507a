import { between, seededRandom } from '../chaos/rng';
import { expectedMessages, MODEL_TIMING, type ExpectedMessage, type Interval, type ModelTiming } from './model';
import { CAMPAIGNS, type Campaign, type FaultWindow, type FuzzSettings, type TimedAction } from './scenario';

/**
 * What the operator does during a run, for every customer at once: pauses a campaign and resumes it
 * (the stored pause flag, then the `campaignResumed` signal to the held journeys, as the admin API
 * does), and changes the cart campaign's settings mid-run (stored overrides, read by journeys that
 * start afterwards).
 */
export type OperatorAction =
  | { kind: 'pause'; campaign: Campaign; atMs: number; forMs: number }
  | { kind: 'settings'; atMs: number; cart: { firstReminderDelay: number; secondReminderDelay: number } };

export function planOperator(seed: number, spreadMs: number): OperatorAction[] {
  const random = seededRandom((seed ^ 0x2545f491) >>> 0);
  const campaign = CAMPAIGNS[between(random, 0, CAMPAIGNS.length - 1)]!;
  return [
    {
      kind: 'pause',
      campaign,
      atMs: Math.round(spreadMs * (0.2 + random() * 0.3)),
      forMs: between(random, 3_000, 6_000),
    },
    {
      kind: 'settings',
      atMs: Math.round(spreadMs * (0.4 + random() * 0.3)),
      cart: { firstReminderDelay: 7_000, secondReminderDelay: 4_000 },
    },
  ];
}

/** What the operator did, as it happened (epoch ms; each change from when its write began to when it was done). */
export interface OperatorTimeline {
  pauses: Array<{ campaign: Campaign; paused: Interval; resumed: Interval }>;
  settingsChanges: Array<{ at: Interval; cart: { firstReminderDelay: number; secondReminderDelay: number } }>;
}

const ENTRY: Record<Campaign, (action: TimedAction, settings: FuzzSettings) => boolean> = {
  'cart-abandonment': (a) =>
    a.kind === 'event' && a.type === 'cart.updated' && (a.properties as { items: unknown[] }).items.length > 0,
  'browse-abandonment': (a) => a.kind === 'event' && a.type === 'product.viewed',
  'churn-retention': (a, s) =>
    a.kind === 'event' &&
    a.type === 'churn.risk_scored' &&
    (a.properties as { score: number }).score >= s.churn.threshold,
};

/**
 * When the journey of `campaign` started and read its settings and pause flag: from its entry's
 * publication to a little after the bridge had it.
 */
function entryWindow(
  actions: TimedAction[],
  campaign: Campaign,
  settings: FuzzSettings,
  timing: ModelTiming,
): Interval | null {
  const entry = [...actions].sort((a, b) => a.publishedAt - b.publishedAt).find((a) => ENTRY[campaign](a, settings));
  if (!entry) return null;
  const seen =
    entry.handledBy ?? Math.max(entry.publishedAt, entry.ackedAt ?? entry.publishedAt) + timing.eventLatencyMs;
  return { lo: entry.publishedAt, hi: seen + Math.max(timing.sendLatencyMs, timing.sendLagAt?.(seen) ?? 0) };
}

const overlaps = (a: Interval, b: Interval) => a.lo <= b.hi && b.lo <= a.hi;

/**
 * The model with the operator's changes. A settings change is certain for a journey that started
 * well before or after it, else the model runs under both and keeps only what both agree on. A
 * journey that entered while its campaign was certainly paused sends nothing (`campaign_paused`);
 * one whose entry may have met the pause, or whose sends may have been held by it, may send its
 * planned messages later or not at all (an exit may overtake a held send): none of them is required.
 */
export function expectedWithOperator(
  actions: TimedAction[],
  settings: FuzzSettings,
  faults: FaultWindow[],
  operator: OperatorTimeline,
  timing: ModelTiming = MODEL_TIMING,
): ExpectedMessage[] {
  const cartEntry = entryWindow(actions, 'cart-abandonment', settings, timing);
  let variants: FuzzSettings[] = [settings];
  for (const change of operator.settingsChanges) {
    const changed = (base: FuzzSettings): FuzzSettings => ({ ...base, cart: { ...base.cart, ...change.cart } });
    if (!cartEntry || cartEntry.hi < change.at.lo) continue;
    variants = cartEntry.lo > change.at.hi ? variants.map(changed) : [...variants, ...variants.map(changed)];
  }
  const results = variants.map((variant) => expectedMessages(actions, variant, faults, timing));
  const messages = results[0]!.map((message, index) => {
    const all = results.map((result) => result[index]!);
    if (all.every((m) => m.expectation === message.expectation)) {
      return {
        ...message,
        window: { lo: Math.min(...all.map((m) => m.window.lo)), hi: Math.max(...all.map((m) => m.window.hi)) },
      };
    }
    return {
      ...message,
      expectation: 'may' as const,
      why: 'settings race' as const,
      window: { lo: Math.min(...all.map((m) => m.window.lo)), hi: Math.max(...all.map((m) => m.window.hi)) },
    };
  });

  for (const pause of operator.pauses) {
    const entry = entryWindow(actions, pause.campaign, settings, timing);
    if (!entry) continue;
    const ofCampaign = messages.filter((m) => m.campaign === pause.campaign && m.why !== 'not planned');
    if (entry.lo > pause.paused.hi && entry.hi < pause.resumed.lo) {
      for (const message of ofCampaign) Object.assign(message, { expectation: 'mustNot', why: 'entered while paused' });
      continue;
    }
    // a journey that checked just before the resume misses its signal and goes on at its next recheck
    const held = { lo: pause.paused.lo, hi: pause.resumed.hi + timing.eventLatencyMs + settings.pauseRecheck };
    const entryMet = overlaps(entry, held);
    let heldBefore = false;
    for (const message of ofCampaign) {
      heldBefore ||= overlaps(message.window, held);
      if (message.expectation === 'must' && (entryMet || heldBefore))
        Object.assign(message, { expectation: 'may', why: entryMet ? 'pause race' : 'held by a pause' });
    }
  }
  return messages;
}

/** Runs the operator's plan against the run's own database and task queue, recording what happened. */
export class OperatorRunner {
  readonly timeline: OperatorTimeline = { pauses: [], settingsChanges: [] };
  readonly failures: string[] = [];
  private loop: Promise<void> | null = null;

  constructor(
    private readonly plan: OperatorAction[],
    private readonly act: {
      setPaused(campaign: Campaign, paused: boolean): Promise<void>;
      resumeHeld(campaign: Campaign): Promise<number>;
      saveCartSettings(cart: { firstReminderDelay: number; secondReminderDelay: number }): Promise<void>;
    },
    private readonly say: (line: string) => void,
  ) {}

  start(runStartedAt: number): void {
    this.loop = Promise.all(this.plan.map((action) => this.run(action, runStartedAt))).then(() => undefined);
  }

  async finish(): Promise<void> {
    await this.loop;
  }

  private async run(action: OperatorAction, runStartedAt: number): Promise<void> {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
    await sleep(runStartedAt + action.atMs - Date.now());
    try {
      if (action.kind === 'settings') {
        const lo = Date.now();
        await this.act.saveCartSettings(action.cart);
        this.timeline.settingsChanges.push({ at: { lo, hi: Date.now() }, cart: action.cart });
        this.say(
          `OPERATOR cart-abandonment settings: first reminder ${action.cart.firstReminderDelay / 1000} s, ` +
            `second ${action.cart.secondReminderDelay / 1000} s`,
        );
        return;
      }
      const paused = { lo: Date.now(), hi: 0 };
      await this.act.setPaused(action.campaign, true);
      paused.hi = Date.now();
      this.say(`OPERATOR pause ${action.campaign} for ${(action.forMs / 1000).toFixed(1)} s`);
      await sleep(action.forMs);
      const resumed = { lo: Date.now(), hi: 0 };
      await this.act.setPaused(action.campaign, false);
      let told = 0;
      // visibility lags: journeys that were just held show up a moment later
      for (const wait of [0, 1_000, 2_000]) {
        await sleep(wait);
        told += await this.act.resumeHeld(action.campaign);
      }
      resumed.hi = Date.now();
      this.timeline.pauses.push({ campaign: action.campaign, paused, resumed });
      this.say(`OPERATOR resume ${action.campaign}: ${told} held journey signal(s)`);
    } catch (error) {
      this.failures.push(`${action.kind}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
}
