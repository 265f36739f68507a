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
  last_message_at: Date | null;
}

export interface JourneyRefusalsTable {
  campaign: string;
  customer_id: string;
  journey_id: string;
  reason: string;
  entry_event_at: Date;
  refused_at: Generated<Date>;
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
  admin_idempotency_keys: AdminIdempotencyKeysTable;
  launches: LaunchesTable;
  launch_audience: LaunchAudienceTable;
  message_templates: MessageTemplatesTable;
  message_template_heads: MessageTemplateHeadsTable;
}
