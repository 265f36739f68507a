import { sql, type RawBuilder } from 'kysely';

/**
 * A journey's ID as the third part of its delivery keys (contract/journeys.ts `deliveryKey`): the
 * same percent-encoding as encodeURIComponent, so that a journey finds its ledger rows among its
 * customer's (the ledger is indexed by customer) by `split_part(idempotency_key, ':', 3)`. IDs made
 * only of characters encodeURIComponent leaves alone, the usual case, are taken as they are.
 */
export function encodedJourneyId(column: string): RawBuilder<string> {
  const ref = sql.ref(column);
  return sql<string>`case when ${ref} ~ '^[A-Za-z0-9_.!~*''()-]*$' then ${ref} else (
    select string_agg(
      case when ch ~ '^[A-Za-z0-9_.!~*''()-]$' then ch
        else upper(regexp_replace(encode(convert_to(ch, 'UTF8'), 'hex'), '(..)', '%\\1', 'g')) end,
      '' order by pos)
    from regexp_split_to_table(${ref}, '') with ordinality as characters(ch, pos)
  ) end`;
}

/** The ledger rows of the journey `journey` (an alias with customer_id and journey_id) in `deliveries` (an alias). */
export function deliveriesOfJourney(deliveries: string, journey: string, campaign: RawBuilder<unknown>) {
  return sql`${sql.ref(`${deliveries}.campaign`)} = ${campaign}
    and ${sql.ref(`${deliveries}.customer_id`)} = ${sql.ref(`${journey}.customer_id`)}
    and split_part(${sql.ref(`${deliveries}.idempotency_key`)}, ':', 3) = ${encodedJourneyId(`${journey}.journey_id`)}`;
}
