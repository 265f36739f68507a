import type { CustomerEvent } from '../contract/events';
import type { SigningKey } from '../platform/config';
import type { Db } from '../platform/db/database';
import type { Logger } from '../platform/logger';

/** What the tracking service's routes share. Every secret comes from the configuration. */
export interface TrackingDependencies {
  db: Db;
  logger: Logger;
  /** Validates the event against the contract and produces it, keyed by customer; resolves once Kafka has it. */
  publish(event: CustomerEvent): Promise<void>;
  /** The first signs, every one verifies (within its grace period). */
  signingKeys: SigningKey[];
  /** Where customers and providers reach this service (TRACKING_PUBLIC_URL): Twilio signs the URL it called. */
  publicUrl: string;
  now(): number;
  /** Verifies Twilio's X-Twilio-Signature; unset: the Twilio endpoints answer 404. */
  twilioAuthToken?: string | undefined;
  /** SendGrid's Signed Event Webhook; unset: its endpoint answers 404. */
  sendgrid?: { publicKey: string; maxAgeMs: number } | undefined;
}
