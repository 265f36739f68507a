import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedMessages, lagFromLedger, MODEL_TIMING, type ExpectedMessage } from '../../../tools/fuzz/model';
import { expectedWithOperator, type OperatorTimeline } from '../../../tools/fuzz/operator';
import { FUZZ_SETTINGS, type FaultWindow, type FuzzEventType, type TimedAction } from '../../../tools/fuzz/scenario';

// Settings: cart reminders 5 s apart, browse 5 s, churn 5 s; cap window 2 s; latencies 2 s.
const T0 = Date.parse('2026-03-01T12:00:00Z');
let counter = 0;

function event(
  atS: number,
  type: FuzzEventType,
  properties: Record<string, unknown> = {},
  options: { skewMs?: number; eventId?: string } = {},
): TimedAction {
  const publishedAt = T0 + atS * 1000;
  counter += 1;
  return {
    kind: 'event',
    atMs: atS * 1000,
    eventId: options.eventId ?? `e${counter}`,
    type,
    skewMs: options.skewMs ?? 0,
    properties,
    publishedAt,
    occurredAtMs: publishedAt + (options.skewMs ?? 0),
  };
}
const profile = (atS: number, properties: Record<string, unknown> = {}) =>
  event(atS, 'customer.updated', {
    email: 'a@fuzz.example',
    emailOptIn: true,
    phone: '+15550001111',
    smsOptIn: true,
    ...properties,
  });
const cart = (atS: number, items = 1, options: { skewMs?: number; eventId?: string } = {}) =>
  event(
    atS,
    'cart.updated',
    {
      cartId: 'c1',
      items: Array.from({ length: items }, () => ({ productId: 'p', name: 'P', quantity: 1, price: 1 })),
    },
    options,
  );
const cancel = (atS: number, campaign: 'cart-abandonment' | 'browse-abandonment' | 'churn-retention'): TimedAction => ({
  kind: 'cancel',
  atMs: atS * 1000,
  campaign,
  publishedAt: T0 + atS * 1000,
  occurredAtMs: T0 + atS * 1000,
});

function summary(messages: ExpectedMessage[]): Record<string, string> {
  return Object.fromEntries(
    messages.map((m) => [
      `${m.campaign}/${m.step}/${m.channel}`,
      m.expectation === 'mustNot' && m.why === 'not planned' ? 'not planned' : `${m.expectation} (${m.why})`,
    ]),
  );
}
const model = (actions: TimedAction[], faults: FaultWindow[] = []) =>
  summary(expectedMessages(actions, FUZZ_SETTINGS, faults));

describe('the fuzzer reference model', () => {
  it('a left cart: three reminders, the second by SMS, nothing from other campaigns', () => {
    const result = model([profile(0), cart(1)]);
    assert.deepEqual(result, {
      'cart-abandonment/reminder-1/email': 'must (planned)',
      'cart-abandonment/reminder-2/sms': 'must (planned)',
      'cart-abandonment/reminder-2/email': 'not planned',
      'cart-abandonment/final/email': 'must (planned)',
      'browse-abandonment/browse-email/email': 'not planned',
      'churn-retention/day-0/email': 'not planned',
      'churn-retention/day-3/sms': 'not planned',
      'churn-retention/day-7/email': 'not planned',
    });
  });

  it('reminder 2 by email when the customer has no SMS consent', () => {
    const result = model([profile(0, { smsOptIn: false }), cart(1)]);
    assert.equal(result['cart-abandonment/reminder-2/sms'], 'mustNot (no consent)');
    assert.equal(result['cart-abandonment/reminder-2/email'], 'must (planned)');
  });

  it('a cart dated ahead counts from when it reached the journey, not from the date the storefront wrote', () => {
    // Entry published at 1 s, dated 3 s ahead: the journey's clock takes when it arrived (1–3 s), so
    // reminder 2 may come before an order at 10.5 s; counted from the written date (4 s) it could not.
    const result = model([profile(0), cart(1, 1, { skewMs: 3_000 }), event(10.5, 'order.placed', { orderId: 'o1' })]);
    assert.equal(result['cart-abandonment/reminder-2/sms'], 'may (exit race)');
  });

  it(
    'a cart reminder the cap may skip (a churn email takes the slot) leaves the next reminder due from the cart, ' +
      'not from it',
    () => {
      const withChurn = model([
        profile(0),
        cart(1),
        event(2, 'churn.risk_scored', { score: 0.9 }),
        event(7, 'order.placed', { orderId: 'o1' }),
      ]);
      assert.equal(
        withChurn['cart-abandonment/reminder-2/sms'],
        'may (exit race)',
        'reminder 1 skipped by the cap: reminder 2 can come before the order',
      );
      const alone = model([profile(0), cart(1), event(7, 'order.placed', { orderId: 'o1' })]);
      assert.equal(
        alone['cart-abandonment/reminder-2/sms'],
        'mustNot (after exit)',
        'without another journey, reminder 2 counts from reminder 1',
      );
    },
  );

  it('an order well before reminder 2 stops it and the final; reminder 1 stays', () => {
    const result = model([profile(0), cart(1), event(8.5, 'order.placed', { orderId: 'o1' })]);
    assert.equal(result['cart-abandonment/reminder-1/email'], 'must (planned)');
    assert.equal(result['cart-abandonment/reminder-2/sms'], 'mustNot (after exit)');
    assert.equal(result['cart-abandonment/final/email'], 'mustNot (after exit)');
  });

  it('an order landing right at reminder 1 due time is a genuine race: it may arrive; later ones must not', () => {
    const result = model([profile(0), cart(1), event(6.1, 'order.placed', { orderId: 'o1' })]);
    assert.equal(result['cart-abandonment/reminder-1/email'], 'may (exit race)');
    assert.equal(result['cart-abandonment/final/email'], 'mustNot (after exit)');
  });

  it('an order published before the cart does not end the journey that the cart opens', () => {
    const result = model([profile(0), event(1, 'order.placed', { orderId: 'o0' }), cart(2)]);
    assert.equal(result['cart-abandonment/reminder-1/email'], 'must (planned)');
  });

  it('a duplicate order is the same order; a duplicate cart changes nothing', () => {
    const result = model([profile(0), cart(1, 1, { eventId: 'cart-a' }), cart(3, 1, { eventId: 'cart-a' })]);
    assert.equal(result['cart-abandonment/reminder-1/email'], 'must (planned)');
  });

  it('a newer cart update resets the clock; a stale one does not', () => {
    const fresh = expectedMessages([profile(0), cart(1), cart(3, 2)], FUZZ_SETTINGS, []);
    const stale = expectedMessages([profile(0), cart(1), cart(3, 2, { skewMs: -2500 })], FUZZ_SETTINGS, []);
    const due = (messages: ExpectedMessage[]) => messages.find((m) => m.step === 'reminder-1')!.dueAt;
    assert.equal(due(fresh), T0 + 8_000);
    assert.equal(due(stale), T0 + 6_000);
  });

  it('an emptied cart is an exit', () => {
    const result = model([profile(0), cart(1), cart(3, 0)]);
    assert.equal(result['cart-abandonment/reminder-1/email'], 'mustNot (after exit)');
  });

  it('an email unsubscribe stops emails but not the SMS; unsubscribing from all ends the journey', () => {
    const email = model([profile(0), cart(1), event(2, 'customer.unsubscribed', { channel: 'email' })]);
    assert.equal(email['cart-abandonment/reminder-1/email'], 'mustNot (no consent)');
    assert.equal(email['cart-abandonment/reminder-2/sms'], 'must (planned)');
    const all = model([profile(0), cart(1), event(2, 'customer.unsubscribed', { channel: 'all' })]);
    assert.equal(all['cart-abandonment/reminder-1/email'], 'mustNot (after exit)');
  });

  it('an SMS unsubscribe just before reminder 2 sends it by email instead (a race if it lands at the due time)', () => {
    const early = model([profile(0), cart(1), event(8, 'customer.unsubscribed', { channel: 'sms' })]);
    assert.equal(early['cart-abandonment/reminder-2/sms'], 'mustNot (no consent)');
    assert.equal(early['cart-abandonment/reminder-2/email'], 'must (planned)');
    const atDue = model([profile(0), cart(1), event(10.9, 'customer.unsubscribed', { channel: 'sms' })]);
    assert.equal(atDue['cart-abandonment/reminder-2/sms'], 'may (consent race)');
    assert.equal(atDue['cart-abandonment/reminder-2/email'], 'may (consent race)');
  });

  it("an operator's cancel is an exit; one that may overtake the entry may not happen", () => {
    assert.equal(
      model([profile(0), cart(1), cancel(3.5, 'cart-abandonment')])['cart-abandonment/reminder-1/email'],
      'mustNot (after exit)',
    );
    assert.equal(
      model([profile(0), cart(1), cancel(1.2, 'cart-abandonment')])['cart-abandonment/reminder-1/email'],
      'may (exit race)',
    );
  });

  it('no profile, no consent: nothing', () => {
    const result = model([cart(1)]);
    assert.equal(result['cart-abandonment/reminder-1/email'], 'mustNot (no consent)');
  });

  it('an SMTP outage over reminder 1 delays it but must not lose it; an order during the outage stops it', () => {
    const outage: FaultWindow[] = [{ kind: 'smtp refuse', from: T0 + 4_000, to: T0 + 12_000 }];
    assert.equal(model([profile(0), cart(1)], outage)['cart-abandonment/reminder-1/email'], 'must (planned)');
    const ordered = model([profile(0), cart(1), event(9, 'order.placed', { orderId: 'o1' })], outage);
    assert.equal(ordered['cart-abandonment/reminder-1/email'], 'mustNot (after exit)');
  });

  it('an SMTP fault starting while a send may be in flight, or a worker kill, may lose that message', () => {
    assert.equal(
      model([profile(0), cart(1)], [{ kind: 'smtp black hole', from: T0 + 6_500, to: T0 + 9_000 }])[
        'cart-abandonment/reminder-1/email'
      ],
      'may (fault may lose it)',
    );
    assert.equal(
      model([profile(0), cart(1)], [{ kind: 'kill -9 worker', from: T0 + 5_000, to: T0 + 7_000 }])[
        'cart-abandonment/reminder-1/email'
      ],
      'may (fault may lose it)',
    );
  });

  it(
    'a send held by an outage retries with backoff: ' +
      'an SMTP 5xx starting soon after the outage may still fail it for good',
    () => {
      // found by seed 2: reminder 1 due at 5 s, SMTP refused 4.0–8.4 s, an SMTP 554 incident from 11.6 s; the
      // retry at 12.1 s failed
      const faults: FaultWindow[] = [
        { kind: 'smtp refuse', from: T0 + 4_000, to: T0 + 8_400 },
        { kind: 'smtp 5xx incident', from: T0 + 11_600, to: T0 + 14_600 },
      ];
      assert.equal(
        model([profile(0), cart(0)], faults)['cart-abandonment/reminder-1/email'],
        'may (fault may lose it)',
      );
    },
  );

  it(
    'consent is checked before each attempt: an unsubscribe during an outage stops a refused send, ' +
      'not one hanging in a black hole',
    () => {
      // found by seed 14: reminder 1's attempt began in an SMTP black hole, the email unsubscribe came, the
      // attempt went through when the hole closed
      const unsubscribe = event(6.2, 'customer.unsubscribed', { channel: 'email' });
      assert.equal(
        model([profile(0), cart(1), unsubscribe], [{ kind: 'smtp refuse', from: T0 + 5_000, to: T0 + 12_000 }])[
          'cart-abandonment/reminder-1/email'
        ],
        'mustNot (no consent)',
      );
      assert.equal(
        model([profile(0), cart(1), unsubscribe], [{ kind: 'smtp black hole', from: T0 + 5_000, to: T0 + 12_000 }])[
          'cart-abandonment/reminder-1/email'
        ],
        'may (consent race)',
      );
    },
  );

  it('a step is never due before the one before it: a skipped first reminder does not bring the second forward', () => {
    // found by seed 5, customer 10: reminders 7 s then 4 s apart (an operator's change), email withdrawn before
    // reminder 1 (skipped), the order at 7.03 s; reminder 2 waits for reminder 1's turn (8 s), so the order ends it
    const cartDelays = { ...FUZZ_SETTINGS.cart, firstReminderDelay: 7_000, secondReminderDelay: 4_000 };
    const actions = [
      profile(0),
      { ...cart(1), handledBy: T0 + 1_050 },
      { ...event(5.9, 'customer.unsubscribed', { channel: 'email' }), handledBy: T0 + 6_000 },
      { ...event(7.03, 'order.placed', { orderId: 'o1' }), handledBy: T0 + 7_100 },
    ];
    const result = summary(expectedMessages(actions, { ...FUZZ_SETTINGS, cart: cartDelays }, []));
    assert.equal(result['cart-abandonment/reminder-1/email'], 'mustNot (after exit)');
    assert.equal(result['cart-abandonment/reminder-2/sms'], 'mustNot (after exit)');
  });

  it(
    'an exit stops an attempt hanging in a black hole only if it is heard before the hole closes: ' +
      'the send learns of it through heartbeats',
    () => {
      // found by seed 14, customer 65: the browse email's attempt began in an SMTP black hole (2.8–9.163 s);
      // the cart that ended the journey was handled at 9.090 s, 73 ms before the hole closed; the email flowed
      // before a heartbeat could carry the cancel
      const hole: FaultWindow[] = [{ kind: 'smtp black hole', from: T0 + 2_797, to: T0 + 9_163 }];
      const view = event(1, 'product.viewed', { productId: 'p1' }, { skewMs: -572 });
      const lateCart = { ...cart(8.872), handledBy: T0 + 9_090 };
      assert.equal(
        model([profile(0), view, lateCart], hole)['browse-abandonment/browse-email/email'],
        'may (exit race)',
      );
      const earlyCart = { ...cart(6), handledBy: T0 + 6_200 };
      assert.equal(
        model([profile(0), view, earlyCart], hole)['browse-abandonment/browse-email/email'],
        'mustNot (after exit)',
        'heard well before the hole closed: cancelled',
      );
      const refused: FaultWindow[] = [{ kind: 'smtp refuse', from: T0 + 2_797, to: T0 + 9_163 }];
      assert.equal(
        model([profile(0), view, lateCart], refused)['browse-abandonment/browse-email/email'],
        'mustNot (after exit)',
        'a refused attempt is not in flight: the next one is cancelled',
      );
    },
  );

  it('an SMTP black hole before the due time holds the send, it must still arrive (never connected: retried)', () => {
    // found by seed 14: customers 51 and 69, their first email settled `unknown` after ETIMEDOUT in the hole
    assert.equal(
      model([profile(0), cart(1)], [{ kind: 'smtp black hole', from: T0 + 5_500, to: T0 + 12_000 }])[
        'cart-abandonment/reminder-1/email'
      ],
      'must (planned)',
    );
  });

  it('a killed bridge stalls an exit: an order published before the due time becomes a race', () => {
    const result = model(
      [profile(0), cart(1), event(4, 'order.placed', { orderId: 'o1' })],
      [{ kind: 'kill -9 bridge', from: T0 + 3_500, to: T0 + 5_000 }],
    );
    assert.equal(result['cart-abandonment/reminder-1/email'], 'may (exit race)');
  });

  it(
    'when the bridge was seen to handle an event (its offset committed) bounds when the journey had it, ' +
      'however late',
    () => {
      const order = { ...event(3, 'order.placed', { orderId: 'o1' }) };
      assert.equal(
        model([profile(0), cart(1), { ...order, handledBy: T0 + 5_000 }])['cart-abandonment/reminder-1/email'],
        'mustNot (after exit)',
      );
      // a bridge lagging 4 s: the order published 3 s before the due time reached the journey after it
      assert.equal(
        model([profile(0), cart(1), { ...order, handledBy: T0 + 7_000 }])['cart-abandonment/reminder-1/email'],
        'may (exit race)',
      );
    },
  );

  it("the worker's lag measured from the ledger widens a send's window around that time only", () => {
    const lagAt = lagFromLedger([
      { dueAt: T0 + 6_000, contactAt: T0 + 10_000 },
      { dueAt: T0 + 60_000, contactAt: T0 + 60_100 },
    ]);
    assert.equal(lagAt(T0 + 6_000), 4_500);
    assert.equal(lagAt(T0 + 60_000), 600);
    assert.equal(lagAt(Infinity), 0); // the step after an exit, which never comes
    const returned = [profile(0), event(1, 'churn.risk_scored', { score: 0.9 }), event(3, 'session.started')];
    assert.equal(
      summary(expectedMessages(returned, FUZZ_SETTINGS, [], { ...MODEL_TIMING, sendLagAt: lagAt }))[
        'churn-retention/day-7/email'
      ],
      'mustNot (after exit)',
    );
    const slow = { ...MODEL_TIMING, sendLagAt: lagAt };
    const actions = [profile(0), cart(1), event(9, 'order.placed', { orderId: 'o1' })];
    assert.equal(
      summary(expectedMessages(actions, FUZZ_SETTINGS, []))['cart-abandonment/reminder-1/email'],
      'must (planned)',
    );
    assert.equal(
      summary(expectedMessages(actions, FUZZ_SETTINGS, [], slow))['cart-abandonment/reminder-1/email'],
      'may (exit race)',
    );
  });

  it('browse: one email after the last view; a cart with items moves the customer to the cart journey', () => {
    const plain = model([profile(0), event(1, 'product.viewed', { productId: 'p1' })]);
    assert.equal(plain['browse-abandonment/browse-email/email'], 'must (planned)');
    const moved = model([profile(0), event(1, 'product.viewed', { productId: 'p1' }), cart(3)]);
    assert.equal(moved['browse-abandonment/browse-email/email'], 'mustNot (after exit)');
    assert.equal(moved['cart-abandonment/reminder-1/email'], 'must (planned)');
  });

  it(
    'churn: win-back email at once, SMS and last email later; a visit ends it, a low score too, ' +
      'a stale low score does not',
    () => {
      const score = (atS: number, value: number, skewMs = 0) =>
        event(atS, 'churn.risk_scored', { score: value }, { skewMs });
      assert.deepEqual(
        Object.values(model([profile(0), score(1, 0.9)])).filter((v) => v !== 'not planned'),
        ['must (planned)', 'must (planned)', 'must (planned)'],
      );
      const returned = model([profile(0), score(1, 0.9), event(5.5, 'session.started')]);
      assert.equal(returned['churn-retention/day-0/email'], 'must (planned)');
      assert.equal(returned['churn-retention/day-3/sms'], 'may (exit race)');
      assert.equal(
        model([profile(0), score(1, 0.9), event(3, 'session.started')])['churn-retention/day-3/sms'],
        'mustNot (after exit)',
      );
      assert.equal(
        model([profile(0), score(1, 0.9), score(3, 0.2)])['churn-retention/day-3/sms'],
        'mustNot (after exit)',
      );
      assert.equal(
        model([profile(0), score(1, 0.9), score(3, 0.2, -5_000)])['churn-retention/day-3/sms'],
        'must (planned)',
      );
      assert.equal(model([profile(0), score(1, 0.5)])['churn-retention/day-0/email'], 'not planned');
    },
  );

  it('two campaigns emailing within the cap window: either may be the one skipped', () => {
    const result = model([profile(0), cart(1), event(6, 'churn.risk_scored', { score: 0.9 })]);
    assert.equal(result['cart-abandonment/reminder-1/email'], 'may (cap race)');
    assert.equal(result['churn-retention/day-0/email'], 'may (cap race)');
  });

  describe('with the operator', () => {
    const at = (s: number) => ({ lo: T0 + s * 1000, hi: T0 + s * 1000 + 50 });
    const withOperator = (actions: TimedAction[], operator: Partial<OperatorTimeline>) =>
      summary(expectedWithOperator(actions, FUZZ_SETTINGS, [], { pauses: [], settingsChanges: [], ...operator }));
    const pausedCart = (from: number, to: number) => ({
      pauses: [{ campaign: 'cart-abandonment' as const, paused: at(from), resumed: at(to) }],
    });

    it('a journey entering while its campaign is paused sends nothing; other campaigns go on', () => {
      const result = withOperator(
        [profile(0), cart(5), event(40, 'churn.risk_scored', { score: 0.9 })],
        pausedCart(2, 12),
      );
      assert.equal(result['cart-abandonment/reminder-1/email'], 'mustNot (entered while paused)');
      assert.equal(result['churn-retention/day-0/email'], 'must (planned)');
    });

    it('a send due during a pause is held: it and the later ones are no longer required', () => {
      const result = withOperator([profile(0), cart(1)], pausedCart(6, 10));
      assert.equal(result['cart-abandonment/reminder-1/email'], 'may (held by a pause)');
      assert.equal(result['cart-abandonment/final/email'], 'may (held by a pause)');
    });

    it('a settings change applies to journeys that start after it; one at the entry is a race', () => {
      const actions = [profile(0), cart(1), event(9.5, 'order.placed', { orderId: 'o1' })];
      const change = (s: number) => ({
        settingsChanges: [{ at: at(s), cart: { firstReminderDelay: 7_000, secondReminderDelay: 4_000 } }],
      });
      assert.equal(withOperator(actions, {})['cart-abandonment/reminder-1/email'], 'must (planned)');
      assert.equal(withOperator(actions, change(0.5))['cart-abandonment/reminder-1/email'], 'may (exit race)');
      assert.equal(withOperator(actions, change(1.5))['cart-abandonment/reminder-1/email'], 'may (settings race)');
      assert.equal(withOperator(actions, change(30))['cart-abandonment/reminder-1/email'], 'must (planned)');
    });
  });
});
