import type { Db } from '../../platform/db/database';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import { emailOf, type DrillCustomer } from './cast';

const PARALLEL = 16;

/**
 * Stores the profiles the storefront would have sent: an email address with consent for the
 * eligible customers and those already in a journey, an address that opted out for `opted_out`,
 * nothing for `no_profile`. No phone: the day-3 SMS is never reached before the cancel anyway.
 */
export async function storeProfiles(db: Db, runId: string, cast: DrillCustomer[]): Promise<number> {
  const withProfile = cast.filter((customer) => customer.kind !== 'no_profile');
  let next = 0;
  const storeNext = async (): Promise<void> => {
    for (let i = next++; i < withProfile.length; i = next++) {
      const { customerId, kind } = withProfile[i]!;
      const consent = kind !== 'opted_out';
      await applyCustomerUpdated(db, {
        eventId: `drill-profile-${customerId}`,
        type: 'customer.updated',
        customerId,
        occurredAt: new Date().toISOString(),
        properties: { email: emailOf(runId, customerId), emailOptIn: consent, smsOptIn: false },
      });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, storeNext));
  return withProfile.length;
}
