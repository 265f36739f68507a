import type { CustomerEvent } from './events';
import type { CampaignType } from './journeys';

/** The start body of an operator's start or a launch's audience line: the customer and the campaign's own fields. */
export type StartBody = { customerId: string } & Record<string, unknown>;

/** The entry event a start stands for, shaped like the storefront's own. */
export function entryEventFor(
  campaign: CampaignType,
  body: StartBody,
  meta: { eventId: string; occurredAt: string },
): CustomerEvent {
  const base = { eventId: meta.eventId, customerId: body.customerId, occurredAt: meta.occurredAt };
  switch (campaign) {
    case 'cart-abandonment':
      return {
        ...base,
        type: 'cart.updated',
        properties: {
          cartId: (body.cartId as string | undefined) ?? `cart-${meta.eventId}`,
          items: body.items as never,
          currency: body.currency as string | undefined,
        },
      };
    case 'browse-abandonment':
      return { ...base, type: 'product.viewed', properties: body.product as never };
    case 'churn-retention':
      return {
        ...base,
        type: 'churn.risk_scored',
        properties: { score: body.score as number, model: body.model as string | undefined },
      };
  }
}
