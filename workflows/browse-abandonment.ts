import { formatDuration } from '../contract/duration';
import type { CustomerEvent } from '../contract/events';
import type { JourneyInput, JourneyResult } from '../contract/journeys';
import type { ProductView } from '../contract/templates';
import { Journey } from './engine/journey';

export interface BrowseState {
  /** Most recent first, one entry per product. */
  products: ProductView[];
  lastViewAtMs: number;
  views: number;
}

const startsBrowse = (event: CustomerEvent) => event.type === 'product.viewed';

/**
 * Browse abandonment: one email with the viewed products, 2 h after the last view. Ends when the
 * customer fills a cart or orders, unsubscribes or is cancelled; suppressed while a cart journey
 * is running for the customer.
 */
export async function browseAbandonmentWorkflow(input: JourneyInput<BrowseState>): Promise<JourneyResult> {
  const journey = new Journey('browse-abandonment', input, { products: [], lastViewAtMs: 0, views: 0 });
  const browse = journey.campaignState;

  journey.listen((event) => {
    if (event.type === 'product.viewed') {
      const occurredAt = journey.eventTime(event);
      journey.enterWith(event);
      const { productId, name, url, price, currency } = event.properties;
      const product: ProductView = { productId, name: name ?? productId, url, price, currency };
      const limit = journey.settings?.maxRememberedProducts ?? 10;
      browse.products = [product, ...browse.products.filter((seen) => seen.productId !== productId)].slice(0, limit);
      browse.lastViewAtMs = Math.max(browse.lastViewAtMs, occurredAt);
      browse.views += 1;
      journey.note(`viewed ${product.name}`);
    } else if (event.type === 'cart.updated' && event.properties.items.length > 0) {
      journey.requestExit('moved_to_cart', 'the customer filled a cart; the cart journey takes over', event);
    } else if (event.type === 'order.placed') {
      journey.requestExit('converted', `order ${event.properties.orderId} placed`, event);
    }
  }, startsBrowse);

  const settings = await journey.waitForEntry();
  if (!(await journey.admit(0))) return journey.finish('completed', 'ended before it began');

  const delay = formatDuration(settings.emailDelayMs);
  await journey.runSteps([
    {
      // Due after the last view: another view starts the wait over.
      wait: {
        stage: 'waiting_for_browse_email',
        details: `Waiting ${delay} after the last product view`,
        summary: `waiting ${delay} after the last view`,
        dueAt: () => browse.lastViewAtMs + settings.emailDelayMs,
        restartOn: () => browse.views,
      },
      suppressedWhile: { campaign: 'cart-abandonment', why: 'a cart journey is running for this customer' },
      send: () => [
        {
          step: 'browse-email',
          channel: 'email',
          template: { id: 'browse-reminder', products: browse.products },
          summary: 'browse reminder by email',
        },
      ],
    },
  ]);
  return journey.complete('the browse email was sent', 'the customer could not be reached by email');
}
