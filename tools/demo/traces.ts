import { randomBytes } from 'node:crypto';

/**
 * The demo plays a storefront that traces its own requests: every event it publishes carries a W3C
 * `traceparent` header, so the engine's spans continue the storefront's trace and the demo knows
 * where to find each customer's journey.
 */
export class StorefrontTraces {
  private readonly journeyTraces = new Map<string, string>();

  /** Headers for one event's message, remembering the trace of each customer's first journey event. */
  headersFor(event: { customerId: string; type: string }): Record<string, string> {
    const traceId = randomBytes(16).toString('hex');
    if (event.type !== 'customer.updated' && !this.journeyTraces.has(event.customerId)) {
      this.journeyTraces.set(event.customerId, traceId);
    }
    return { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
  }

  /** Jaeger links: the trace of the customer's first journey event, and a search for all their traces. */
  linksFor(jaegerUrl: string, service: string, customerId: string): { first: string | null; all: string } {
    const base = jaegerUrl.replace(/\/$/, '');
    const traceId = this.journeyTraces.get(customerId);
    const search = new URLSearchParams({
      service,
      tags: JSON.stringify({ 'campaigns.customer.id': customerId }),
      lookback: '2h',
    });
    return { first: traceId ? `${base}/trace/${traceId}` : null, all: `${base}/search?${search.toString()}` };
  }
}
