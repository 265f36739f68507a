import { formatDuration } from '../contract/duration';
import type { CustomerEvent, EventOf } from '../contract/events';
import type { JourneyInput, JourneyResult } from '../contract/journeys';
import { Journey } from './engine/journey';
import type { Wait } from './engine/steps';

type CartItems = EventOf<'cart.updated'>['properties']['items'];

export interface CartState {
  items: CartItems;
  currency?: string | undefined;
  /** occurredAt of the newest cart update seen; older ones are stale. */
  lastCartActivityAtMs: number;
  cartChanges: number;
}

const startsCart = (event: CustomerEvent) => event.type === 'cart.updated' && event.properties.items.length > 0;

/**
 * Cart abandonment: an email 1 h after the last cart activity, an SMS 24 h later (a second email
 * when the customer cannot get SMS), a final email with an incentive 72 h later. Ends on an order
 * (converted), an emptied cart, an unsubscribe or an operator's cancel.
 */
export async function cartAbandonmentWorkflow(input: JourneyInput<CartState>): Promise<JourneyResult> {
  const journey = new Journey('cart-abandonment', input, { items: [], lastCartActivityAtMs: 0, cartChanges: 0 });
  const cart = journey.campaignState;

  journey.listen((event) => {
    if (event.type === 'cart.updated') {
      const occurredAt = journey.eventTime(event);
      if (occurredAt < cart.lastCartActivityAtMs) {
        journey.note(`stale cart update ${event.eventId} ignored`);
        return;
      }
      cart.lastCartActivityAtMs = occurredAt;
      if (event.properties.items.length === 0) {
        if (journey.hasEntered) journey.requestExit('cart_emptied', 'the cart was emptied', event);
        return;
      }
      journey.enterWith(event);
      cart.items = event.properties.items;
      cart.currency = event.properties.currency;
      cart.cartChanges += 1;
      journey.note(`cart updated: ${event.properties.items.length} item(s)`);
    } else if (event.type === 'order.placed') {
      journey.requestExit('converted', `order ${event.properties.orderId} placed`, event);
    }
  }, startsCart);

  const settings = await journey.waitForEntry();
  if (!(await journey.admit(settings.cooldownMs))) return journey.finish('cart_emptied', 'ended before it began');

  /**
   * Each reminder is due a delay after the last cart activity or message, whichever is later; a
   * cart change starts the wait over.
   */
  const afterCartActivity = (delayMs: number, stage: string, what: string): Wait => ({
    stage,
    details: `Waiting ${formatDuration(delayMs)} after the last cart activity or message`,
    summary: `waiting ${formatDuration(delayMs)} for ${what}`,
    dueAt: () => Math.max(cart.lastCartActivityAtMs, journey.lastMessageAtMs ?? 0) + delayMs,
    restartOn: () => cart.cartChanges,
  });
  // The incentive goes with every reminder, so a variant may send the final template earlier.
  const items = () => ({ items: cart.items, currency: cart.currency, incentiveCode: settings.incentiveCode });

  await journey.runSteps([
    {
      wait: afterCartActivity(settings.firstReminderDelayMs, 'waiting_for_reminder_1', 'checkout'),
      send: () => [
        {
          step: 'reminder-1',
          channel: 'email',
          template: { id: 'cart-reminder', ...items() },
          summary: 'cart reminder 1 by email',
        },
      ],
    },
    {
      wait: afterCartActivity(settings.secondReminderDelayMs, 'waiting_for_reminder_2', 'the second reminder'),
      send: () => [
        {
          step: 'reminder-2',
          channel: 'sms',
          template: { id: 'cart-sms', ...items() },
          summary: 'cart reminder 2 by SMS',
        },
        {
          step: 'reminder-2',
          channel: 'email',
          template: { id: 'cart-reminder', ...items() },
          summary: 'cart reminder 2 by email (no SMS)',
        },
      ],
    },
    {
      wait: afterCartActivity(settings.finalReminderDelayMs, 'waiting_for_final_reminder', 'the final reminder'),
      send: () => [
        {
          step: 'final',
          channel: 'email',
          template: { id: 'cart-final', ...items() },
          summary: 'final cart reminder with incentive by email',
        },
      ],
    },
  ]);
  return journey.complete('every reminder was sent', 'the customer could not be reached on any channel');
}
