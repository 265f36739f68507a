import type { Db } from './database';

/** Every customer whose profile has this phone number (E.164): a number may be shared. */
export async function findCustomersByPhone(db: Db, phone: string): Promise<string[]> {
  const rows = await db
    .selectFrom('customer_profiles')
    .select('customer_id')
    .where('phone', '=', phone)
    .orderBy('customer_id')
    .execute();
  return rows.map((row) => row.customer_id);
}
