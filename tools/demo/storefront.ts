import { randomUUID } from 'node:crypto';
import type { Cast, Customer } from './cast';
import type { CustomerActions } from './customer-actions';
import type { JourneyRun, JourneyWatch } from './journey-watch';
import type { Narrator } from './narrator';

/** A contract event as the storefront publishes it. */
export interface StorefrontEvent {
  eventId: string;
  type: string;
  customerId: string;
  occurredAt: string;
  properties: Record<string, unknown>;
}

/** Where the storefront plays: the events topic, the journeys' progress, and the narrator. */
export interface Stage {
  publish(events: StorefrontEvent[]): Promise<void>;
  publishRaw(key: string, value: string): Promise<void>;
  watch: JourneyWatch;
  narrator: Narrator;
  /** What customers and providers do with the messages: follow links, unsubscribe, reply, bounce. */
  customers: CustomerActions;
}

/** How long the script waits for the engine, derived from the (compressed) campaign settings. */
export interface Pace {
  /** Longest a journey of the demo can take from its entry event to its end. */
  longestJourneyMs: number;
}

export interface Performance {
  /** Every valid event published, in order: what a full replay sends again. */
  published: StorefrontEvent[];
  /** The malformed messages published, each with the dead-letter reason it must get. */
  malformed: Array<{ value: string; reason: string }>;
}

const mug = { productId: 'mug-blue', name: 'Blue mug', quantity: 2, price: 12.5 };
const tea = { productId: 'tea-earl', name: 'Earl Grey, 100 g', quantity: 1, price: 7.9 };
const lamp = { productId: 'lamp', name: 'Desk lamp', quantity: 1, price: 39 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The storefront's script. Each customer's story is told as it happens; some steps wait for the
 * engine (Dev comes back only after his first win-back email, Erin unsubscribes only after her
 * first reminder, Carla's email bounces once it is sent, Ann replies to her SMS), so the story plays
 * the same on a slow machine.
 */
export async function playStorefront(stage: Stage, cast: Cast, pace: Pace): Promise<Performance> {
  const { narrator } = stage;
  const published: StorefrontEvent[] = [];
  const publish = async (...events: StorefrontEvent[]) => {
    await stage.publish(events);
    published.push(...events);
  };
  const event = (type: string, customer: Customer, properties: Record<string, unknown>): StorefrontEvent => ({
    eventId: `demo-${randomUUID()}`,
    type,
    customerId: customer.customerId,
    occurredAt: new Date().toISOString(),
    properties,
  });
  const profile = (customer: Customer, consent: { email: boolean; sms?: boolean }) =>
    event('customer.updated', customer, {
      email: customer.email,
      firstName: customer.name,
      emailOptIn: consent.email,
      ...(customer.phone ? { phone: customer.phone, smsOptIn: consent.sms ?? false } : {}),
    });
  const cart = (customer: Customer, items: object[]) =>
    event('cart.updated', customer, { cartId: `cart-${customer.customerId}`, currency: 'EUR', items });

  await publish(
    profile(cast.ann, { email: true, sms: true }),
    profile(cast.bob, { email: true }),
    profile(cast.carla, { email: true }),
    profile(cast.dev, { email: true, sms: true }),
    profile(cast.erin, { email: true }),
    profile(cast.dana, { email: false }),
  );
  narrator.storefront('storefront', 'six customers sign up; all but Dana accept marketing email, Ann and Dev also SMS');

  const annCart = cart(cast.ann, [mug, tea]);
  await publish(annCart);
  narrator.storefront(
    cast.ann.name,
    'puts a blue mug and tea in her cart, then leaves',
    'a cart journey starts: reminder 1 by email, 2 by SMS, a final email with a code',
  );
  await publish(cart(cast.bob, [lamp]));
  narrator.storefront(cast.bob.name, 'puts a desk lamp in his cart');
  await publish(
    ...['Linen shirt', 'Canvas tote', 'Straw hat'].map((name, index) =>
      event('product.viewed', cast.carla, {
        productId: `p-${index + 1}`,
        name,
        price: 20 + index * 5,
        currency: 'EUR',
      }),
    ),
  );
  narrator.storefront(
    cast.carla.name,
    'looks at a linen shirt, a canvas tote and a straw hat, buys nothing',
    'a browse journey starts: one email with what she looked at',
  );
  await publish(event('churn.risk_scored', cast.dev, { score: 0.86, model: 'churn-v3' }));
  narrator.storefront(
    cast.dev.name,
    'has not been back for months: the churn model scores him 0.86',
    'a churn journey starts: a win-back email now, an SMS offer and a last email later',
  );
  await publish(cart(cast.erin, [{ productId: 'scarf', name: 'Wool scarf', quantity: 1, price: 29 }]));
  narrator.storefront(cast.erin.name, 'puts a wool scarf in her cart, then leaves');
  await publish(cart(cast.dana, [{ productId: 'socks', name: 'Wool socks', quantity: 3, price: 9 }]));
  narrator.storefront(
    cast.dana.name,
    'puts wool socks in her cart, then leaves',
    'she has not opted in: her journey must send nothing',
  );

  await sleep(1500);
  const bobOrder = event('order.placed', cast.bob, {
    orderId: `order-${cast.bob.customerId}`,
    cartId: `cart-${cast.bob.customerId}`,
    items: [lamp],
    total: 39,
    currency: 'EUR',
  });
  await publish(bobOrder);
  narrator.storefront(
    cast.bob.name,
    'comes back and checks out before any reminder',
    'his cart journey ends as converted; a post-purchase journey starts: a review request, then a cross-sell email',
  );

  await stage.publish([annCart, annCart, annCart, annCart, annCart, bobOrder, bobOrder]);
  narrator.storefront(
    'storefront',
    `a flaky retry publishes Ann's cart event 5 more times and Bob's order twice more`,
    'same eventIds: each journey takes an event once, nothing is sent twice',
  );

  const malformed = [
    { value: `{"eventId":"demo-${randomUUID()}","type":"cart.updated",`, reason: 'invalid_json' },
    { value: JSON.stringify(cart(cast.ann, [{ ...mug, quantity: 0 }])), reason: 'invalid_field' },
  ];
  for (const message of malformed) await stage.publishRaw(cast.ann.customerId, message.value);
  narrator.storefront(
    'storefront',
    'publishes a truncated JSON message and a cart line with quantity 0',
    'both go to the dead-letter topic with a reason; the bridge moves on',
  );

  const firstMessage = (customer: Customer) => (runs: JourneyRun[]) =>
    runs.some(
      (run) => run.customerId === customer.customerId && run.timeline.some((entry) => entry.kind === 'message'),
    );
  await stage.watch.until(`${cast.dev.name}'s win-back email`, firstMessage(cast.dev), pace.longestJourneyMs);
  const landedOn = await stage.customers.openAndClick(cast.dev);
  narrator.storefront(
    cast.dev.name,
    `opens the win-back email and follows its link to ${landedOn}`,
    'the tracking service counts the open and the click, signed links only; both reach the ledger through Kafka',
  );
  await publish(event('session.started', cast.dev, {}));
  narrator.storefront(
    cast.dev.name,
    'is back in the shop',
    'his churn journey ends as customer_returned; no SMS, no last email',
  );

  await stage.watch.until(`${cast.erin.name}'s first reminder`, firstMessage(cast.erin), pace.longestJourneyMs);
  const unsubscribed = await stage.customers.oneClickUnsubscribe(cast.erin);
  narrator.storefront(
    cast.erin.name,
    `presses her mail app's unsubscribe button: an RFC 8058 one-click POST to the email's List-Unsubscribe URL ` +
      `(HTTP ${unsubscribed})`,
    'her email consent is withdrawn; she has no other channel, so nothing more is sent',
  );

  await stage.watch.until(`${cast.carla.name}'s browse email`, firstMessage(cast.carla), pace.longestJourneyMs);
  const bounced = await stage.customers.bounceFirstEmail(cast.carla);
  narrator.storefront(
    'SendGrid',
    `reports ${cast.carla.name}'s email as a hard bounce (signed Event Webhook, HTTP ${bounced})`,
    'her address goes on the suppression list: no campaign emails it again until an operator lifts it',
  );

  const texted = (runs: JourneyRun[]) =>
    runs.some(
      (run) =>
        run.customerId === cast.ann.customerId &&
        run.timeline.some((entry) => entry.kind === 'message' && entry.text.includes('SMS')),
    );
  await stage.watch.until(`${cast.ann.name}'s SMS`, texted, pace.longestJourneyMs);
  await stage.customers.replyBySms(cast.ann, 'STOP');
  narrator.storefront(
    cast.ann.name,
    'replies STOP to the SMS',
    'her SMS consent is withdrawn (Twilio inbound webhook, signature checked); her last reminder is an email',
  );

  const customers = Object.values(cast);
  await stage.watch.until(
    'every journey to end',
    (runs) =>
      customers.every((customer) =>
        customer.campaigns.every((campaign) =>
          runs.some((run) => run.customerId === customer.customerId && run.campaign === campaign),
        ),
      ) && runs.every((run) => !run.running),
    pace.longestJourneyMs * 2,
  );
  return { published, malformed };
}

/**
 * A full replay: every event the storefront published, in order, again — what reprocessing the
 * topic from offset 0 does. Resolves when every replayed entry has been taken and has ended; what
 * they ended as is for the caller to check (see REPLAY_OUTCOMES).
 */
export async function replayStorefront(
  stage: Stage,
  cast: Cast,
  performance: Performance,
  pace: Pace,
): Promise<number> {
  const replayStartedAt = Date.now();
  await stage.publish(performance.published);
  stage.narrator.storefront(
    'storefront',
    `replays all ${performance.published.length} events it published, in order`,
    'every entry event has been seen: no new journey, no message',
  );
  const customers = Object.values(cast);
  await stage.watch.until(
    'the replayed entries to end',
    (runs) => {
      const replayed = runs.filter((run) => run.startedAt.getTime() >= replayStartedAt - 500);
      return (
        customers.every((customer) =>
          customer.campaigns.every((campaign) =>
            replayed.some((run) => run.customerId === customer.customerId && run.campaign === campaign),
          ),
        ) && runs.every((run) => !run.running)
      );
    },
    pace.longestJourneyMs,
  );
  return replayStartedAt;
}
