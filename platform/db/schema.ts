import type { ColumnType, Generated } from 'kysely';

/** Row types of the PostgreSQL schema built by platform/db/migrations. */

export type DeliveryState = 'sending' | 'retrying' | 'sent' | 'skipped' | 'failed' | 'unknown';
export type Channel = 'email' | 'sms';

export interface CustomerProfilesTable {
  customer_id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  timezone: string | null;
  email_opt_in: Generated<boolean>;
  sms_opt_in: Generated<boolean>;
  /**
   * When each field's value is as of (occurredAt of the event, or the time of an operator's
   * change); null: never set.
   */
  email_as_of: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  phone_as_of: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  first_name_as_of: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  timezone_as_of: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  email_opt_in_as_of: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  sms_opt_in_as_of: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The newest event or operator change seen, whatever it applied. */
  last_event_id: string;
  last_event_at: ColumnType<Date, Date | string, Date | string>;
  updated_at: Generated<Date>;
}

export interface DeliveriesTable {
  idempotency_key: string;
  campaign: string;
  customer_id: string;
  step: string;
  channel: Channel;
  state: DeliveryState;
  reason: string | null;
  message_id: string | null;
  provider_message_id: string | null;
  attempts: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  sent_at: Date | null;
  contact_at: Date | null;
  /** The template and version the message was rendered from; null for a key never rendered (a skip). */
  template_id: string | null;
  template_version: number | null;
  /** What the provider reported after accepting it (docs/FEEDBACK.md); null until it reports. */
  delivery_status: Generated<DeliveryStatus | null>;
  delivery_error: Generated<string | null>;
  delivery_status_at: Generated<Date | null>;
  delivered_at: Generated<Date | null>;
  first_opened_at: Generated<Date | null>;
  open_count: Generated<number>;
  first_clicked_at: Generated<Date | null>;
  click_count: Generated<number>;
}

export type DeliveryStatus = 'delivered' | 'failed' | 'bounced' | 'complained';

/** Feedback events already applied to the ledger: a duplicate changes nothing twice. */
export interface FeedbackEventsTable {
  event_id: string;
  message_id: string;
  type: string;
  occurred_at: Date;
  recorded_at: Generated<Date>;
}

export type SuppressionReason = 'hard_bounce' | 'complaint' | 'carrier_opt_out' | 'operator';

/** Addresses no campaign may contact, checked in the same transaction as the frequency cap. */
export interface SuppressionsTable {
  id: Generated<string>;
  channel: Channel;
  /** A lower-cased email address or an E.164 number. */
  address: string;
  reason: SuppressionReason;
  /** Who reported it: `sendgrid`, `twilio`, or `admin`. */
  source: string;
  detail: string | null;
  customer_id: string | null;
  message_id: string | null;
  event_id: string | null;
  created_at: Generated<Date>;
  lifted_at: Date | null;
  lifted_by: string | null;
  lift_note: string | null;
}

export type TrackedLinkKind = 'click' | 'open' | 'unsubscribe';

/** A link a sent message carries, served by the tracking service; the token names its code. */
export interface TrackedLinksTable {
  code: string;
  kind: TrackedLinkKind;
  message_id: string;
  customer_id: string;
  campaign: string;
  step: string;
  journey_id: string;
  channel: Channel;
  url: string | null;
  scope: 'email' | 'sms' | 'all' | null;
  expires_at: Date;
  created_at: Generated<Date>;
}

export interface CampaignSettingsTable {
  scope: string;
  overrides: ColumnType<unknown, string, string>;
  paused: Generated<boolean>;
  version: Generated<number>;
  updated_at: Generated<Date>;
  /** Set while the campaign is cancelled: new entries are refused and running journeys end. */
  cancelled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  cancel_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface JourneysTable {
  campaign: string;
  customer_id: string;
  journey_id: string;
  entry_event_at: Date;
  entered_at: Date;
  ended_at: Date | null;
  outcome: string | null;
  messages_sent: Generated<number>;
  /** When its last message was sent; for a held-out journey, when it would have been. */
  last_message_at: Date | null;
  /** Decided at admission (docs/EXPERIMENTS.md): a held-out journey is sent nothing. */
  treatment_group: Generated<TreatmentGroup>;
  /** The variant of each step that has variants, by step name. */
  variants: ColumnType<Record<string, string>, string | undefined, string>;
  /** The workflow run that admitted it; null for journeys admitted before it was recorded. */
  admitted_by_run: ColumnType<string | null, string | null | undefined, string | null>;
}

export type TreatmentGroup = 'treatment' | 'holdout';

/** Every order the storefront reported (order.placed), for conversions and revenue. */
export interface OrdersTable {
  order_id: string;
  customer_id: string;
  /** The storefront's time of the order (occurredAt). */
  occurred_at: Date;
  /** numeric(14, 2): pg returns it as a string. */
  total: ColumnType<string | null, number | null, number | null>;
  currency: string | null;
  event_id: string;
  recorded_at: Generated<Date>;
}

export interface JourneyRefusalsTable {
  campaign: string;
  customer_id: string;
  journey_id: string;
  reason: string;
  entry_event_at: Date;
  refused_at: Generated<Date>;
  /** The workflow run that was refused; null for refusals recorded before it was. */
  refused_by_run: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A customer's journey of a campaign that may be running: written before every start of one. */
export interface JourneyPresenceTable {
  campaign: string;
  customer_id: string;
  /** From a sequence; every write takes a new one. */
  generation: ColumnType<string, never, string>;
  marked_at: ColumnType<Date, never, Date>;
}

export interface JourneyPresenceBackfillTable {
  id: Generated<boolean>;
  completed_at: Generated<Date>;
}

export interface AdminIdempotencyKeysTable {
  key: string;
  fingerprint: string;
  status_code: number | null;
  response: ColumnType<unknown, string | null, string | null>;
  created_at: Generated<Date>;
}

export type LaunchEntryStatus = 'pending' | 'entering' | 'entered' | 'skipped' | 'failed';

export interface LaunchesTable {
  launch_id: string;
  campaign: string;
  rate_per_second: number;
  start_at: Date | null;
  audience_size: number;
  duplicates: Generated<number>;
  source: 'inline' | 'upload';
  created_at: Generated<Date>;
}

export interface LaunchAudienceTable {
  launch_id: string;
  /** The line's place in the audience, from 1; the launch pages through it in this order. */
  position: number;
  customer_id: string;
  /** What the customer enters with (the campaign's start body). */
  entry: ColumnType<unknown, string, string>;
  status: Generated<LaunchEntryStatus>;
  reason: string | null;
  attempts: Generated<number>;
  updated_at: Generated<Date>;
}

export interface MessageTemplatesTable {
  template_id: string;
  version: number;
  channel: Channel;
  /** Email only. */
  subject: string | null;
  text: string;
  /** Email only. */
  html: string | null;
  note: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface MessageTemplateHeadsTable {
  template_id: string;
  /** The version sends render; always the newest, since a rollback saves a copy as a new version. */
  version: number;
  updated_at: Generated<Date>;
}

export interface Database {
  customer_profiles: CustomerProfilesTable;
  deliveries: DeliveriesTable;
  campaign_settings: CampaignSettingsTable;
  journeys: JourneysTable;
  journey_refusals: JourneyRefusalsTable;
  journey_presence: JourneyPresenceTable;
  journey_presence_backfill: JourneyPresenceBackfillTable;
  admin_idempotency_keys: AdminIdempotencyKeysTable;
  launches: LaunchesTable;
  launch_audience: LaunchAudienceTable;
  message_templates: MessageTemplatesTable;
  message_template_heads: MessageTemplateHeadsTable;
  feedback_events: FeedbackEventsTable;
  suppressions: SuppressionsTable;
  tracked_links: TrackedLinksTable;
  orders: OrdersTable;
}
