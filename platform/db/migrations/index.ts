import type { Migration } from 'kysely';
import * as profilesAndDeliveryLedger from './0001_profiles_and_delivery_ledger';
import * as journeysSettingsAndContactTime from './0002_journeys_settings_and_contact_time';
import * as retryingDeliveries from './0003_retrying_deliveries';
import * as adminIdempotencyKeys from './0004_admin_idempotency_keys';
import * as profileFieldFreshness from './0005_profile_field_freshness';
import * as journeyRefusals from './0006_journey_refusals';
import * as campaignCancelAndLaunches from './0007_campaign_cancel_and_launches';
import * as messageTemplates from './0008_message_templates';
import * as feedbackAndSuppressions from './0009_feedback_and_suppressions';
import * as profilesByPhone from './0010_profiles_by_phone';
import * as experimentsAndOrders from './0011_experiments_and_orders';
import * as journeyAdmittingRun from './0012_journey_admitting_run';
import * as journeyPresence from './0013_journey_presence';

/** Every migration, in order. Names are permanent once released. */
export const migrations: Record<string, Migration> = {
  '0001_profiles_and_delivery_ledger': profilesAndDeliveryLedger,
  '0002_journeys_settings_and_contact_time': journeysSettingsAndContactTime,
  '0003_retrying_deliveries': retryingDeliveries,
  '0004_admin_idempotency_keys': adminIdempotencyKeys,
  '0005_profile_field_freshness': profileFieldFreshness,
  '0006_journey_refusals': journeyRefusals,
  '0007_campaign_cancel_and_launches': campaignCancelAndLaunches,
  '0008_message_templates': messageTemplates,
  '0009_feedback_and_suppressions': feedbackAndSuppressions,
  '0010_profiles_by_phone': profilesByPhone,
  '0011_experiments_and_orders': experimentsAndOrders,
  '0012_journey_admitting_run': journeyAdmittingRun,
  '0013_journey_presence': journeyPresence,
};
