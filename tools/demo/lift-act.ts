import { checkSeed, type CampaignReport, type SeedOutcome } from '../lift/checks';
import { groupsOf, playCrowd, type CrowdStage } from '../lift/crowd';
import { shoppersOf, type OrderOdds } from '../lift/storefront';
import type { AdminClient } from './admin-client';

/**
 * The demo's last act: an operator holds out a quarter of browse abandonment, a crowd of shoppers
 * browses, and each orders with a known chance (30% after a reminder, 12% without), decided outside
 * the engine. The campaign report must find the crowd as it was, and estimates the lift.
 */

export const CROWD = { shoppers: 400, holdout: 0.25, seed: 18, odds: { p1: 0.3, p0: 0.12 } satisfies OrderOdds };
const CAMPAIGN = 'browse-abandonment';

export interface LiftActStage extends Omit<CrowdStage, 'deadline'> {
  admin: AdminClient;
}

export async function playLiftAct(stage: LiftActStage, label: string): Promise<SeedOutcome> {
  const settingsPath = `/campaigns/${CAMPAIGN}/settings`;
  const current = await stage.admin.request<{ overrides: Record<string, unknown> }>('GET', `/campaigns/${CAMPAIGN}`);
  if (current.status !== 200) throw new Error(`reading the ${CAMPAIGN} settings failed: ${current.status}`);
  const overrides = current.body.overrides;
  const put = await stage.admin.request('PUT', settingsPath, { overrides: { ...overrides, holdout: CROWD.holdout } });
  if (put.status !== 200) throw new Error(`holding out the crowd failed: ${put.status} ${JSON.stringify(put.body)}`);
  try {
    const from = new Date(Date.now() - 1_000);
    const domain = `${label}.crowd.example`;
    const shoppers = shoppersOf(`${label}-crowd`, CROWD.shoppers, domain);
    const deadline = Date.now() + 5 * 60_000;
    const played = await playCrowd(
      { ...stage, deadline },
      { label: `${label}-crowd`, domain, shoppers, seed: CROWD.seed, odds: CROWD.odds },
    );
    const query = `from=${from.toISOString()}&to=${new Date(Date.now() + 1_000).toISOString()}`;
    const report = await stage.admin.request<CampaignReport>('GET', `/campaigns/${CAMPAIGN}/report?${query}`);
    const byVariant = await stage.admin.request<CampaignReport>(
      'GET',
      `/campaigns/${CAMPAIGN}/report?${query}&step=browse-email`,
    );
    if (report.status !== 200 || byVariant.status !== 200)
      throw new Error(`the campaign report answered ${report.status}: ${JSON.stringify(report.body)}`);
    return checkSeed({
      seed: CROWD.seed,
      odds: CROWD.odds,
      shoppers,
      groups: await groupsOf(stage.db, `${label}-crowd`),
      mailbox: played.mailbox,
      orders: played.orders,
      report: report.body,
      byVariant: byVariant.body,
      replayed: null,
    });
  } finally {
    await stage.admin.request('PUT', settingsPath, { overrides });
  }
}

/** What the act shows: each group's orders, the checks against the truth, and the estimate against the true lift. */
export function liftActLines(outcome: SeedOutcome): string[] {
  const rate = (group: { entered: number; converted: number }) => {
    const percent = ((group.converted / Math.max(1, group.entered)) * 100).toFixed(1);
    return `${group.entered} entered, ${group.converted} ordered (${percent}%)`;
  };
  const points = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}`;
  const estimate =
    outcome.estimate === null || outcome.interval === null
      ? `no estimate: ${outcome.note}`
      : `${points(outcome.estimate)} points, 95% interval [${points(outcome.interval[0])}, ` +
        `${points(outcome.interval[1])}]; the true lift is ${points(outcome.trueLift)} ` +
        (outcome.covers ? '(covered)' : '(not covered: an interval misses 1 time in 20)');
  return [
    `  treated    ${rate(outcome.treated)}`,
    `  held out   ${rate(outcome.holdout)}, and sent nothing`,
    `  lift       ${estimate}`,
    outcome.failures.length === 0
      ? '  the report matches the crowd: its groups, orders, revenue and messages ✓'
      : `  the report does not match the crowd ✗: ${outcome.failures.join('; ')}`,
  ];
}
