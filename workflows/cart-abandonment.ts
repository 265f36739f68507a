import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ChannelActivities } from '../activities';
import type { CustomerEvent, EventOf } from '../contract/events';
import { formatDuration } from '../lib/duration';
import {
  customerEventSignal,
  journeyStateQuery,
  type CartAbandonmentInput,
  type JourneyResult,
} from './definitions';
import { Journey } from './journey';

const { sendEmail } = proxyActivities<ChannelActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['PermanentDeliveryError'],
  },
});

type CartItems = EventOf<'cart.updated'>['properties']['items'];

/**
 * Cart abandonment (walking skeleton): one email reminder once the cart has been left alone for
 * the configured delay; an order before then ends the journey as converted.
 */
export async function cartAbandonmentWorkflow(input: CartAbandonmentInput): Promise<JourneyResult> {
  const journey = new Journey('cart-abandonment', input.customerId);
  let items: CartItems = [];
  let currency: string | undefined;
  let lastCartActivityAt = 0;
  let cartChanges = 0;

  setHandler(journeyStateQuery, () => journey.state);
  setHandler(customerEventSignal, (event: CustomerEvent) => {
    if (journey.exitRequest || !journey.firstSighting(event)) return;
    const occurredAt = Date.parse(event.occurredAt);
    if (event.type === 'cart.updated') {
      if (occurredAt < lastCartActivityAt) {
        journey.record('event', `stale cart update ${event.eventId} ignored`);
        return;
      }
      lastCartActivityAt = occurredAt;
      if (event.properties.items.length === 0) {
        journey.requestExit('cart_emptied', 'the cart was emptied');
        return;
      }
      journey.state.journeyId ??= event.eventId;
      items = event.properties.items;
      currency = event.properties.currency;
      cartChanges += 1;
      journey.record('event', `cart updated: ${items.length} item(s)`);
    } else if (event.type === 'order.placed') {
      journey.requestExit('converted', `order ${event.properties.orderId} placed`);
    }
  });

  await condition(() => journey.state.journeyId !== null || journey.exitRequest !== null);
  const delay = formatDuration(input.settings.reminderDelayMs);

  while (!journey.exitRequest) {
    const seenChanges = cartChanges;
    const remainingMs = Math.max(0, lastCartActivityAt + input.settings.reminderDelayMs - Date.now());
    journey.moveTo('waiting_for_checkout', `Cart left alone; reminder due ${delay} after the last cart activity`);
    journey.record('wait', `waiting ${formatDuration(remainingMs)} for checkout`);
    const interrupted = await condition(() => journey.exitRequest !== null || cartChanges !== seenChanges, remainingMs, {
      summary: `waiting ${delay} for checkout`,
    });
    if (!interrupted) break;
  }
  const exit = journey.exitRequest;
  if (exit) return finish(journey, exit.outcome, exit.why, 0);

  const step = 'reminder-1';
  const result = await sendEmail.executeWithOptions(
    { startToCloseTimeout: '30 seconds', summary: 'cart reminder 1 by email' },
    [{
      idempotencyKey: [journey.state.campaign, input.customerId, journey.state.journeyId, step, 'email'].join(':'),
      campaign: journey.state.campaign,
      customerId: input.customerId,
      step,
      template: { kind: 'cart-reminder', items, currency },
    }],
  );

  if (result.status === 'sent') {
    journey.state.lastMessage = step;
    journey.record('message', `${step} sent by email${result.firstDelivery ? '' : ' (earlier delivery reused)'}`);
    if (!result.firstDelivery) return finish(journey, 'already_sent', 'this reminder was delivered by an earlier run', 0);
    return finish(journey, 'completed', 'all reminders sent', 1);
  }
  return finish(journey, 'not_contactable', result.reason, 0);
}

function finish(journey: Journey, outcome: JourneyResult['outcome'], why: string, messagesSent: number): JourneyResult {
  journey.end(outcome, why);
  return {
    outcome,
    journeyId: journey.state.journeyId,
    messagesSent,
    attributedTo: outcome === 'converted' ? journey.state.lastMessage : null,
  };
}
