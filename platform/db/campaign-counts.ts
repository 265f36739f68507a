import { sql } from 'kysely';
import type { Db } from './database';
import { deliveriesOfJourney } from './journey-deliveries-sql';
import type { TreatmentGroup } from './schema';

/**
 * Counts of each campaign's journeys admitted within its conversion window before now, for the
 * admin's metrics: by group, those converted (the report's attribution rule), and their ledger rows
 * by step, channel and state. Two grouped statements, whatever the number of campaigns.
 */

export interface CampaignWindow {
  campaign: string;
  conversionWindowMs: number;
}
export interface JourneyCounts {
  campaign: string;
  group: TreatmentGroup;
  entered: number;
  converted: number;
}
export interface MessageCounts {
  campaign: string;
  group: TreatmentGroup;
  step: string;
  channel: string;
  state: string;
  count: number;
}

export async function campaignCounts(
  db: Db,
  windows: CampaignWindow[],
): Promise<{ journeys: JourneyCounts[]; messages: MessageCounts[] }> {
  const cohort = sql`cohort as (
    select j.campaign, j.customer_id, j.journey_id, j.entry_event_at, j.treatment_group as grp,
      w.window_ms * interval '1 millisecond' as win
    from unnest(${windows.map((w) => w.campaign)}::text[], ${windows.map((w) => w.conversionWindowMs)}::float8[])
      as w(campaign, window_ms)
    join journeys j on j.campaign = w.campaign and j.entered_at >= now() - w.window_ms * interval '1 millisecond'
  )`;
  const journeys = await sql<{ campaign: string; grp: TreatmentGroup; entered: string; converted: string }>`
    with ${cohort},
    attributed as (
      select distinct on (c.campaign, o.order_id) c.campaign, j.customer_id, j.journey_id
      from cohort c
      join orders o on o.customer_id = c.customer_id
        and o.occurred_at > c.entry_event_at and o.occurred_at <= c.entry_event_at + c.win
      join journeys j on j.campaign = c.campaign and j.customer_id = o.customer_id
        and o.occurred_at > j.entry_event_at and o.occurred_at <= j.entry_event_at + c.win
      order by c.campaign, o.order_id, j.entered_at desc, j.journey_id desc
    )
    select c.campaign, c.grp, count(*) as entered,
      count(*) filter (where exists (
        select 1 from attributed a
        where a.campaign = c.campaign and a.customer_id = c.customer_id and a.journey_id = c.journey_id
      )) as converted
    from cohort c group by c.campaign, c.grp
  `.execute(db);
  const messages = await sql<MessageCounts & { grp: TreatmentGroup; count: string }>`
    with ${cohort}
    select c.campaign, c.grp, d.step, d.channel, d.state, count(*) as count
    from cohort c join deliveries d on ${deliveriesOfJourney('d', 'c', sql`c.campaign`)}
    group by c.campaign, c.grp, d.step, d.channel, d.state
  `.execute(db);
  return {
    journeys: journeys.rows.map((row) => ({
      campaign: row.campaign,
      group: row.grp,
      entered: Number(row.entered),
      converted: Number(row.converted),
    })),
    messages: messages.rows.map((row) => ({
      campaign: row.campaign,
      group: row.grp,
      step: row.step,
      channel: row.channel,
      state: row.state,
      count: Number(row.count),
    })),
  };
}
