import type { EventOf } from '../contract/events';
import { formatDuration } from '../contract/duration';
import type { JourneyInput, JourneyResult } from '../contract/journeys';
import { Journey } from './journey';

type CartItems = EventOf<'cart.updated'>['properties']['items'];

export interface CartState {
  items: CartItems;
  currency?: string | undefined;
  /** occurredAt of the newest cart update seen; older ones are stale. */
  lastCartActivityAtMs: number;
  cartChanges: number;
  entryEventAt: string | null;
}

/**
 * Cart abandonment: an email 1 h after the last cart activity, an SMS 24 h later (a second email
 * when the customer cannot get SMS), a final email with an incentive 72 h later. Ends on an order
 * (converted), an emptied cart, an unsubscribe or an operator's cancel.
 */
export async function cartAbandonmentWorkflow(input: JourneyInput<CartState>): Promise<JourneyResult> {
  const journey = new Journey('cart-abandonment', input, { items: [], lastCartActivityAtMs: 0, cartChanges: 0, entryEventAt: null });
  const cart = () => journey.campaignState;

  journey.listen((event) => {
    if (event.type === 'cart.updated') {
      const occurredAt = journey.eventTime(event);
      if (occurredAt < cart().lastCartActivityAtMs) {
        journey.record('event', `stale cart update ${event.eventId} ignored`);
        return;
      }
      cart().lastCartActivityAtMs = occurredAt;
      if (event.properties.items.length === 0) {
        if (journey.state.journeyId) journey.requestExit('cart_emptied', 'the cart was emptied', event);
        return;
      }
      if (!journey.state.journeyId) {
        journey.state.journeyId = event.eventId;
        cart().entryEventAt = event.occurredAt;
      }
      cart().items = event.properties.items;
      cart().currency = event.properties.currency;
      cart().cartChanges += 1;
      journey.record('event', `cart updated: ${event.properties.items.length} item(s)`);
    } else if (event.type === 'order.placed') {
      journey.requestExit('converted', `order ${event.properties.orderId} placed`, event);
    }
  }, (event) => event.type === 'cart.updated' && event.properties.items.length > 0);

  const { settings } = await journey.begin(() => journey.state.journeyId !== null);
  if (!(await journey.enter(cart().entryEventAt, settings.cooldownMs))) {
    return journey.finish('cart_emptied', 'ended before it began');
  }

  const steps = [
    { delayMs: settings.firstReminderDelayMs, stage: 'waiting_for_reminder_1', what: 'checkout' },
    { delayMs: settings.secondReminderDelayMs, stage: 'waiting_for_reminder_2', what: 'the second reminder' },
    { delayMs: settings.finalReminderDelayMs, stage: 'waiting_for_final_reminder', what: 'the final reminder' },
  ];

  while (journey.stepIndex < steps.length && !journey.exitRequest) {
    const step = steps[journey.stepIndex]!;
    const since = () => Math.max(cart().lastCartActivityAtMs, journey.lastMessageAtMs ?? 0);
    journey.moveTo(step.stage, `Waiting ${formatDuration(step.delayMs)} after the last cart activity or message`);
    const changesBefore = cart().cartChanges;
    const due = await journey.waitUntil(() => since() + step.delayMs, `waiting ${formatDuration(step.delayMs)} for ${step.what}`, () => cart().cartChanges !== changesBefore);
    if (!due) continue;

    const template = { items: cart().items, currency: cart().currency };
    if (journey.stepIndex === 0) {
      await journey.send({ step: 'reminder-1', channel: 'email', template: { id: 'cart-reminder', ...template }, summary: 'cart reminder 1 by email' });
    } else if (journey.stepIndex === 1) {
      const bySms = await journey.send({ step: 'reminder-2', channel: 'sms', template: { id: 'cart-sms', ...template }, summary: 'cart reminder 2 by SMS' });
      if (bySms === 'unreachable') {
        await journey.send({ step: 'reminder-2', channel: 'email', template: { id: 'cart-reminder', ...template }, summary: 'cart reminder 2 by email (no SMS)' });
      }
    } else {
      await journey.send({ step: 'final', channel: 'email', template: { id: 'cart-final', ...template, incentiveCode: settings.incentiveCode }, summary: 'final cart reminder with incentive by email' });
    }
    journey.stepIndex += 1;
  }

  const reachedNobody = journey.state.messagesSent === 0 && journey.unreachableSteps > 0;
  return journey.finish(reachedNobody ? 'not_contactable' : 'completed', reachedNobody ? 'the customer could not be reached on any channel' : 'every reminder was sent');
}
