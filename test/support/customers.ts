import type { Db } from '../../platform/db/database';
import { applyCustomerUpdated } from '../../platform/db/profiles';
import { runId } from './services';

let counter = 0;

/** A customer with an email address, a phone number and consent on both, unique to this test run. */
export async function contactableCustomer(
  db: Db,
  prefix: string,
): Promise<{ customerId: string; email: string; phone: string }> {
  counter += 1;
  const customerId = `${prefix}-${counter}-${runId}`;
  const email = `${customerId}@example.test`;
  const phone = `+1555${String(Date.now() % 100000).padStart(5, '0')}${String(counter % 100).padStart(2, '0')}`;
  await applyCustomerUpdated(db, {
    eventId: `profile-${customerId}`,
    type: 'customer.updated',
    customerId,
    occurredAt: new Date().toISOString(),
    properties: { email, phone, emailOptIn: true, smsOptIn: true },
  });
  return { customerId, email, phone };
}
