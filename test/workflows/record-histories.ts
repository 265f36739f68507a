import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { journeyWorkflowId, type CampaignType } from '../../contract/journeys';
import { JourneyTestEnv } from '../support/journey-env';
import { assign, type Assignment } from '../../platform/experiments/assignment';

/**
 * Records workflow histories from real runs of each journey (time-skipping server, real
 * activities) into test/fixtures/histories. The replay test runs them against the current code, so
 * a change that would break running journeys fails the build. Re-record only on purpose, with the
 * old histories kept, when a change is guarded by patched().
 *   npx tsx test/workflows/record-histories.ts [name prefix...]
 * With name prefixes, only the histories whose names start with one of them are written.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const outDir = join(__dirname, '..', 'fixtures', 'histories');

async function main(): Promise<void> {
  const t = new JourneyTestEnv('record', { contact: { quietHours: { sms: null } } });
  const u = new JourneyTestEnv('record-late', { contact: { quietHours: { sms: null } } }, { stickyCache: false });
  await t.start();
  mkdirSync(outDir, { recursive: true });
  const temporalCli = join(
    execFileSync('bash', ['infra/temporal-test-server.sh', 'path'], { encoding: 'utf8' }).trim(),
    '..',
    'temporal',
  );
  const only = process.argv.slice(2);
  const save = (name: string, campaign: CampaignType, customerId: string, env: JourneyTestEnv = t, runId?: string) => {
    if (only.length > 0 && !only.some((prefix) => name.startsWith(prefix))) return;
    // The CLI writes the canonical proto3 JSON that historyFromJSON and the Web UI read.
    const run = runId ? ['--run-id', runId] : [];
    const json = execFileSync(
      temporalCli,
      [
        'workflow',
        'show',
        '--address',
        env.env.address,
        '--workflow-id',
        journeyWorkflowId(campaign, customerId),
        ...run,
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    writeFileSync(join(outDir, `${name}.json`), json);
    process.stdout.write(`recorded ${name} (${(JSON.parse(json) as { events: unknown[] }).events.length} events)\n`);
  };
  const person = async (prefix: string) => {
    const customer = t.customer(prefix);
    await t.profile(customer.customerId, {
      email: customer.email,
      phone: customer.phone,
      firstName: 'Rec',
      emailOptIn: true,
      smsOptIn: true,
    });
    return customer.customerId;
  };
  const mug = { productId: 'mug', name: 'Mug', quantity: 1, price: 5 };

  try {
    const cart = await person('cart');
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', cart, { cartId: 'k', items: [mug] }),
    );
    await t.env.sleep(30 * 60_000);
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', cart, { cartId: 'k', items: [mug, { ...mug, productId: 'tea', name: 'Tea' }] }),
    );
    await t.result('cart-abandonment', cart, 100 * HOUR);
    save('cart-abandonment-completed', 'cart-abandonment', cart);

    // A burst, as the bridge coalesces it: two cart updates in one signal that starts the journey.
    const burst = await person('burst');
    await t.journeys.startOrSignalAll('cart-abandonment', [
      await t.event('cart.updated', burst, { cartId: 'k', items: [mug] }),
      await t.event('cart.updated', burst, { cartId: 'k', items: [mug, { ...mug, productId: 'tea', name: 'Tea' }] }),
    ]);
    await t.result('cart-abandonment', burst, 100 * HOUR);
    save('cart-abandonment-burst', 'cart-abandonment', burst);

    const buyer = await person('buyer');
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', buyer, { cartId: 'k', items: [mug] }),
    );
    await t.env.sleep(2 * HOUR);
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', buyer, { orderId: 'o' }));
    await t.result('cart-abandonment', buyer);
    save('cart-abandonment-converted', 'cart-abandonment', buyer);

    const browser = await person('browse');
    await t.journeys.startOrSignal(
      'browse-abandonment',
      await t.event('product.viewed', browser, { productId: 'lamp', name: 'Lamp' }),
    );
    await t.result('browse-abandonment', browser, 3 * HOUR);
    save('browse-abandonment-completed', 'browse-abandonment', browser);

    const churner = await person('churn');
    await t.journeys.startOrSignal('churn-retention', await t.event('churn.risk_scored', churner, { score: 0.9 }));
    await t.result('churn-retention', churner, 8 * DAY);
    save('churn-retention-completed', 'churn-retention', churner);

    const returner = await person('return');
    await t.journeys.startOrSignal('churn-retention', await t.event('churn.risk_scored', returner, { score: 0.9 }));
    await t.env.sleep(4 * DAY);
    await t.journeys.signalIfRunning('churn-retention', await t.event('session.started', returner, {}));
    await t.result('churn-retention', returner);
    save('churn-retention-returned', 'churn-retention', returner);

    const purchaser = await person('purchase');
    await t.journeys.startOrSignal(
      'post-purchase',
      await t.event('order.placed', purchaser, { orderId: 'o', items: [mug], total: 5, currency: 'EUR' }),
    );
    await t.result('post-purchase', purchaser, 11 * DAY);
    save('post-purchase-completed', 'post-purchase', purchaser);

    const leaver = await person('purchase-unsubscribed');
    await t.journeys.startOrSignal('post-purchase', await t.event('order.placed', leaver, { orderId: 'o' }));
    await t.env.sleep(4 * DAY);
    await t.journeys.signalIfRunning(
      'post-purchase',
      await t.event('customer.unsubscribed', leaver, { channel: 'all' }),
    );
    await t.result('post-purchase', leaver);
    save('post-purchase-unsubscribed', 'post-purchase', leaver);

    // The order arrives while reminder 2's SMS waits for a retry (Twilio answering 503): the send is cancelled.
    const interrupted = await person('interrupted');
    t.twilio.failNext(...Array.from({ length: 30 }, () => ({ status: 503, code: 20503 })));
    await t.journeys.startOrSignal(
      'cart-abandonment',
      await t.event('cart.updated', interrupted, { cartId: 'k', items: [mug] }),
    );
    await t.env.sleep(25 * HOUR + 10_000);
    await t.journeys.signalIfRunning('cart-abandonment', await t.event('order.placed', interrupted, { orderId: 'o' }));
    await t.result('cart-abandonment', interrupted);
    save('cart-abandonment-order-during-send', 'cart-abandonment', interrupted);
  } finally {
    await t.stop();
  }

  // A new cart reaches the journey with the order that ends it: the next journey starts with it.
  // Without a sticky cache, so that the worker can stop while both events are signalled.
  await u.start();
  try {
    const customer = u.customer('late');
    await u.profile(customer.customerId, { email: customer.email, firstName: 'Rec', emailOptIn: true });
    await u.journeys.startOrSignal(
      'cart-abandonment',
      await u.event('cart.updated', customer.customerId, { cartId: 'k', items: [mug] }),
    );
    const firstRun = (await u.handle('cart-abandonment', customer.customerId).describe()).runId;
    await u.stopWorker();
    await u.journeys.signalIfRunning(
      'cart-abandonment',
      await u.event('order.placed', customer.customerId, { orderId: 'o' }),
    );
    await u.journeys.signalIfRunning(
      'cart-abandonment',
      await u.event('cart.updated', customer.customerId, { cartId: 'k2', items: [mug] }),
    );
    await u.startWorker();
    await u.result('cart-abandonment', customer.customerId, 98 * HOUR);
    save('cart-abandonment-late-entry', 'cart-abandonment', customer.customerId, u, firstRun);
  } finally {
    await u.stop();
  }

  // Experiments (docs/EXPERIMENTS.md): a held-out journey, and one dealt a variant with its own template and delay.
  const experiment = {
    holdout: 0.5,
    assignmentSalt: 'recorded',
    variants: {
      'reminder-1': [
        { name: 'plain', weight: 1 },
        { name: 'incentive', weight: 1, template: 'cart-final', delay: '3h' },
      ],
    },
  };
  const x = new JourneyTestEnv('record-experiments', {
    'cart-abandonment': experiment,
    contact: { quietHours: { sms: null } },
  });
  await x.start();
  try {
    const plan = {
      ...experiment,
      variants: { 'reminder-1': experiment.variants['reminder-1'].map(({ name, weight }) => ({ name, weight })) },
    };
    const dealt = (wanted: (assignment: Assignment) => boolean) => {
      for (;;) {
        const customer = x.customer('experiment');
        if (wanted(assign('cart-abandonment', customer.customerId, plan))) return customer;
      }
    };
    for (const [name, customer] of [
      ['cart-abandonment-held-out', dealt((assignment) => assignment.group === 'holdout')],
      ['cart-abandonment-variant', dealt((assignment) => assignment.variants['reminder-1'] === 'incentive')],
    ] as const) {
      await x.profile(customer.customerId, {
        email: customer.email,
        phone: customer.phone,
        firstName: 'Rec',
        emailOptIn: true,
        smsOptIn: true,
      });
      await x.journeys.startOrSignal(
        'cart-abandonment',
        await x.event('cart.updated', customer.customerId, { cartId: 'k', items: [mug] }),
      );
      await x.result('cart-abandonment', customer.customerId, 100 * HOUR);
      save(name, 'cart-abandonment', customer.customerId, x);
    }
  } finally {
    await x.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`recording failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
