import { formatDuration } from '../contract/duration';
import type { JourneyInput, JourneyResult } from '../contract/journeys';
import { bookkeeping, Journey } from './journey';
import type { ProductView } from '../contract/templates';

export interface BrowseState {
  /** Most recent first, one entry per product. */
  products: ProductView[];
  lastViewAtMs: number;
  views: number;
  entryEventAt: string | null;
}


/**
 * Browse abandonment: one email with the viewed products, 2 h after the last view. Ends when the
 * customer fills a cart or orders, unsubscribes or is cancelled; suppressed while a cart journey
 * is running for the customer.
 */
export async function browseAbandonmentWorkflow(input: JourneyInput<BrowseState>): Promise<JourneyResult> {
  const journey = new Journey('browse-abandonment', input, { products: [], lastViewAtMs: 0, views: 0, entryEventAt: null });
  const browse = () => journey.campaignState;

  journey.listen((event) => {
    if (event.type === 'product.viewed') {
      const occurredAt = journey.eventTime(event);
      if (!journey.state.journeyId) {
        journey.state.journeyId = event.eventId;
        browse().entryEventAt = event.occurredAt;
      }
      const { productId, name, url, price, currency } = event.properties;
      const product: ProductView = { productId, name: name ?? productId, url, price, currency };
      const limit = journey.settings?.maxRememberedProducts ?? 10;
      browse().products = [product, ...browse().products.filter((seen) => seen.productId !== productId)].slice(0, limit);
      browse().lastViewAtMs = Math.max(browse().lastViewAtMs, occurredAt);
      browse().views += 1;
      journey.record('event', `viewed ${product.name}`);
    } else if (event.type === 'cart.updated' && event.properties.items.length > 0) {
      journey.requestExit('moved_to_cart', 'the customer filled a cart; the cart journey takes over', event);
    } else if (event.type === 'order.placed') {
      journey.requestExit('converted', `order ${event.properties.orderId} placed`, event);
    }
  }, (event) => event.type === 'product.viewed');

  const { settings } = await journey.begin(() => journey.state.journeyId !== null);
  if (!(await journey.enter(browse().entryEventAt, 0))) return journey.finish('completed', 'ended before it began');

  for (;;) {
    journey.moveTo('waiting_for_browse_email', `Waiting ${formatDuration(settings.emailDelayMs)} after the last product view`);
    const viewsBefore = browse().views;
    const due = await journey.waitUntil(() => browse().lastViewAtMs + settings.emailDelayMs, `waiting ${formatDuration(settings.emailDelayMs)} after the last view`, () => browse().views !== viewsBefore);
    if (journey.exitRequest) return journey.finish('completed', '');
    if (due) break;
  }

  if (await bookkeeping().isJourneyRunning({ campaign: 'cart-abandonment', customerId: journey.customerId })) {
    journey.requestExit('suppressed', 'a cart journey is running for this customer');
    return journey.finish('suppressed', '');
  }
  await journey.send({ step: 'browse-email', channel: 'email', template: { id: 'browse-reminder', products: browse().products }, summary: 'browse reminder by email' });
  const reachedNobody = journey.state.messagesSent === 0 && journey.unreachableSteps > 0;
  return journey.finish(reachedNobody ? 'not_contactable' : 'completed', reachedNobody ? 'the customer could not be reached by email' : 'the browse email was sent');
}
