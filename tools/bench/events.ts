/** Contract-valid events for benchmark customers; every customer is new, so each event starts a journey. */

export function cartUpdated(runId: string, customerId: string, now: Date) {
  return {
    eventId: `${runId}-cart-${customerId}`,
    type: 'cart.updated',
    customerId,
    occurredAt: now.toISOString(),
    properties: {
      cartId: `cart-${customerId}`,
      items: [{ productId: 'mug-1', name: 'Blue mug', quantity: 1, price: 12.5 }],
      currency: 'EUR',
    },
  };
}

export function churnRiskScored(runId: string, customerId: string, now: Date) {
  return {
    eventId: `${runId}-churn-${customerId}`,
    type: 'churn.risk_scored',
    customerId,
    occurredAt: now.toISOString(),
    properties: { score: 0.9, model: 'bench' },
  };
}

export function customerUpdated(runId: string, customerId: string, email: string, now: Date) {
  return {
    eventId: `${runId}-profile-${customerId}`,
    type: 'customer.updated',
    customerId,
    occurredAt: now.toISOString(),
    properties: { email, firstName: 'Bench', emailOptIn: true },
  };
}
