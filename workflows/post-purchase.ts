import { formatDuration } from '../contract/duration';
import type { CustomerEvent, EventOf } from '../contract/events';
import type { JourneyInput, JourneyResult } from '../contract/journeys';
import { Journey } from './engine/journey';

type Order = EventOf<'order.placed'>['properties'];

export interface PostPurchaseState {
  /** The newest order seen: the one the messages are about. */
  order: Order | null;
  /** occurredAt of the newest order; older ones are stale. */
  lastOrderAtMs: number;
  /** Journey-clock time of the entry order, then of the review request: the next step is due a delay after it. */
  previousStepAtMs: number;
}

const startsPostPurchase = (event: CustomerEvent) => event.type === 'order.placed';

/**
 * Post-purchase: a review request 3 days after the order, a cross-sell email 7 days after that.
 * Another order while it runs becomes the order its messages are about, without moving its
 * timers. Ends on an unsubscribe or an operator's cancel; a journey messaged the customer within
 * the cooldown refuses the next order's journey.
 */
export async function postPurchaseWorkflow(input: JourneyInput<PostPurchaseState>): Promise<JourneyResult> {
  const journey = new Journey('post-purchase', input, { order: null, lastOrderAtMs: 0, previousStepAtMs: 0 });
  const purchase = journey.campaignState;

  journey.listen((event) => {
    if (event.type !== 'order.placed') return;
    const occurredAt = journey.eventTime(event);
    if (occurredAt < purchase.lastOrderAtMs) {
      journey.note(`older order ${event.properties.orderId} ignored`);
      return;
    }
    if (!journey.hasEntered) purchase.previousStepAtMs = occurredAt;
    journey.enterWith(event);
    purchase.order = event.properties;
    purchase.lastOrderAtMs = occurredAt;
    journey.note(`order ${event.properties.orderId} placed`);
  }, startsPostPurchase);

  const settings = await journey.waitForEntry();
  if (!(await journey.admit(settings.cooldownMs))) return journey.finish('completed', 'ended before it began');

  const reviewDelay = formatDuration(settings.reviewRequestDelayMs);
  const crossSellDelay = formatDuration(settings.crossSellDelayMs);
  const items = () => ({ items: purchase.order?.items ?? [], currency: purchase.order?.currency });

  await journey.runSteps([
    {
      wait: {
        stage: 'waiting_for_review_request',
        details: `Waiting ${reviewDelay} after the order before asking for a review`,
        summary: `waiting ${reviewDelay} for the review request`,
        dueAt: () => purchase.previousStepAtMs + settings.reviewRequestDelayMs,
      },
      send: () => [
        {
          step: 'review-request',
          channel: 'email',
          template: { id: 'post-purchase-review', ...items() },
          summary: 'review request by email',
        },
      ],
      then: () => {
        purchase.previousStepAtMs = Date.now();
      },
    },
    {
      wait: {
        stage: 'waiting_for_cross_sell',
        details: `Waiting ${crossSellDelay} after the review request before the cross-sell email`,
        summary: `waiting ${crossSellDelay} for the cross-sell email`,
        dueAt: () => purchase.previousStepAtMs + settings.crossSellDelayMs,
      },
      send: () => [
        {
          step: 'cross-sell',
          channel: 'email',
          template: { id: 'post-purchase-cross-sell', ...items() },
          summary: 'cross-sell email',
        },
      ],
    },
  ]);
  return journey.complete(
    'the review request and the cross-sell email were sent',
    'the customer could not be reached by email',
  );
}
