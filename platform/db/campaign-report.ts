import { sql } from 'kysely';
import type { Db } from './database';
import { deliveriesOfJourney } from './journey-deliveries-sql';
import type { TreatmentGroup } from './schema';

/**
 * The counts of one campaign's report (docs/EXPERIMENTS.md#the-report), in one statement: the
 * journeys admitted in [from, to), by group and (when a step is given) the treated ones by that
 * step's variant; their messages from the delivery ledger; the orders attributed to them.
 *
 * Attribution: an order of the journey's customer counts for the journey when
 * entry_event_at < occurred_at <= entry_event_at + window, even after the journey ended; when
 * several journeys of the campaign qualify, only for the latest entered (whether or not it is in
 * the range).
 */

export interface ReportQuery {
  campaign: string;
  from: Date;
  to: Date;
  conversionWindowMs: number;
  /** Break the treated journeys down by this step's variant, and count only its messages. */
  step?: string;
}

export interface CohortCounts {
  group: TreatmentGroup;
  /** The step's variant (`default` for a journey dealt none); null for the holdout or without a step. */
  variant: string | null;
  entered: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  /** Ledger rows skipped because the journey is held out. */
  heldOut: number;
  converted: number;
  /** Attributed order totals by currency, as PostgreSQL sums numeric(14,2): "123.40". */
  revenue: Record<string, string>;
  ordersWithoutRevenue: number;
  /** By currency, the revenue of each journey that has some in it (for the lift's interval). */
  revenueByJourney: Record<string, number[]>;
}

interface Row {
  grp: TreatmentGroup;
  variant: string;
  entered: string;
  sent: string | null;
  delivered: string | null;
  opened: string | null;
  clicked: string | null;
  held_out: string | null;
  converted: string | null;
  orders_without_revenue: string | null;
  revenue: Record<string, string> | null;
  revenue_by_journey: Record<string, number[]> | null;
}

export async function campaignReportCounts(db: Db, query: ReportQuery): Promise<CohortCounts[]> {
  const campaign = sql.val(query.campaign);
  const window = sql`(${query.conversionWindowMs}::float8 * interval '1 millisecond')`;
  const step = query.step ?? null;
  const variant =
    step === null
      ? sql`''`
      : sql`case when j.treatment_group = 'holdout' then '' else coalesce(j.variants ->> ${step}, 'default') end`;
  const { rows } = await sql<Row>`
    with cohort as (
      select j.customer_id, j.journey_id, j.entry_event_at, j.treatment_group as grp, ${variant} as variant
      from journeys j
      where j.campaign = ${campaign} and j.entered_at >= ${query.from} and j.entered_at < ${query.to}
    ),
    candidate_orders as (
      select distinct o.order_id, o.customer_id, o.occurred_at, o.total, o.currency
      from cohort c
      join orders o on o.customer_id = c.customer_id
        and o.occurred_at > c.entry_event_at and o.occurred_at <= c.entry_event_at + ${window}
    ),
    attributed as (
      select distinct on (o.order_id) o.order_id, o.total, o.currency, j.customer_id, j.journey_id
      from candidate_orders o
      join journeys j on j.campaign = ${campaign} and j.customer_id = o.customer_id
        and o.occurred_at > j.entry_event_at and o.occurred_at <= j.entry_event_at + ${window}
      order by o.order_id, j.entered_at desc, j.journey_id desc
    ),
    journey_orders as (
      select c.grp, c.variant, c.journey_id, c.customer_id, a.order_id, a.total, a.currency
      from cohort c join attributed a on a.customer_id = c.customer_id and a.journey_id = c.journey_id
    ),
    conversions as (
      select grp, variant, count(distinct (customer_id, journey_id)) as converted,
        count(*) filter (where total is null or currency is null) as orders_without_revenue
      from journey_orders group by grp, variant
    ),
    journey_revenue as (
      select grp, variant, currency, sum(total) as total
      from journey_orders where total is not null and currency is not null
      group by grp, variant, customer_id, journey_id, currency
    ),
    currency_revenue as (
      select grp, variant, currency, sum(total)::text as total, array_agg(total::float8) as by_journey
      from journey_revenue group by grp, variant, currency
    ),
    revenue as (
      select grp, variant, jsonb_object_agg(currency, total) as revenue,
        jsonb_object_agg(currency, by_journey) as revenue_by_journey
      from currency_revenue group by grp, variant
    ),
    messages as (
      select c.grp, c.variant,
        count(*) filter (where d.state = 'sent') as sent,
        count(*) filter (where d.state = 'sent' and d.delivered_at is not null) as delivered,
        count(*) filter (where d.state = 'sent' and d.first_opened_at is not null) as opened,
        count(*) filter (where d.state = 'sent' and d.first_clicked_at is not null) as clicked,
        count(*) filter (where d.state = 'skipped' and d.reason = 'held_out') as held_out
      from cohort c
      join deliveries d on ${deliveriesOfJourney('d', 'c', campaign)}
        ${step === null ? sql`` : sql`and d.step = ${step}`}
      group by c.grp, c.variant
    ),
    entered as (select grp, variant, count(*) as entered from cohort group by grp, variant)
    select e.grp, e.variant, e.entered, m.sent, m.delivered, m.opened, m.clicked, m.held_out,
      v.converted, v.orders_without_revenue, r.revenue, r.revenue_by_journey
    from entered e
    left join messages m on m.grp = e.grp and m.variant = e.variant
    left join conversions v on v.grp = e.grp and v.variant = e.variant
    left join revenue r on r.grp = e.grp and r.variant = e.variant
    order by e.grp desc, e.variant
  `.execute(db);
  return rows.map((row) => ({
    group: row.grp,
    variant: row.variant === '' ? null : row.variant,
    entered: Number(row.entered),
    sent: Number(row.sent ?? 0),
    delivered: Number(row.delivered ?? 0),
    opened: Number(row.opened ?? 0),
    clicked: Number(row.clicked ?? 0),
    heldOut: Number(row.held_out ?? 0),
    converted: Number(row.converted ?? 0),
    revenue: row.revenue ?? {},
    ordersWithoutRevenue: Number(row.orders_without_revenue ?? 0),
    revenueByJourney: row.revenue_by_journey ?? {},
  }));
}
