import { randomUUID } from 'node:crypto';
import { applyOperatorChanges, findProfile } from '../../platform/db/profiles';
import { CAMPAIGN_TYPES } from '../../contract/campaigns';
import type { AdminDependencies } from '../dependencies';
import { notFound } from '../errors';
import { route, type Route } from '../route';
import { cancelBody, customerCancelledView, customerParams, profileUpdateBody, profileView } from '../schemas';

/** A customer's profile and consent, and the "stop everything" for one customer. */
export function customerRoutes(deps: AdminDependencies): Route[] {
  return [
    route({
      method: 'get',
      path: '/customers/{customerId}',
      operationId: 'getCustomer',
      tag: 'Customers',
      summary: "A customer's profile and consent",
      params: customerParams,
      responses: { 200: { description: 'The profile', schema: profileView } },
      errors: { 404: 'No profile for this customer.' },
      handle: async ({ params }) => {
        const profile = await findProfile(deps.db, params.customerId);
        if (!profile) throw notFound(`No profile for customer ${params.customerId}.`);
        return { status: 200, body: profile };
      },
    }),
    route({
      method: 'patch',
      path: '/customers/{customerId}',
      operationId: 'updateCustomer',
      tag: 'Customers',
      summary: "Change a customer's profile or consent",
      description:
        'Only the fields given change, and they are as of now: an event that occurred earlier cannot undo them, ' +
        'one that occurs later applies. Fields not given keep their own freshness. ' +
        'Journeys read consent at every send.',
      params: customerParams,
      body: profileUpdateBody,
      responses: { 200: { description: 'The profile after the change', schema: profileView } },
      handle: async ({ params, body }) => {
        await applyOperatorChanges(deps.db, params.customerId, body, `admin-${randomUUID()}`);
        return { status: 200, body: (await findProfile(deps.db, params.customerId))! };
      },
    }),
    route({
      method: 'post',
      path: '/customers/{customerId}/journeys/cancel',
      operationId: 'cancelCustomerJourneys',
      tag: 'Customers',
      summary: 'Cancel every running journey of a customer (a complaint, a data-protection request)',
      params: customerParams,
      body: cancelBody,
      responses: {
        200: {
          description: 'The campaigns whose journey was told to end (empty when none was running)',
          schema: customerCancelledView,
        },
      },
      handle: async ({ params, body }) => {
        const results = await Promise.all(
          CAMPAIGN_TYPES.map(async (campaign) => ({
            campaign,
            cancelled: await deps.journeys.cancel(campaign, params.customerId, body.reason),
          })),
        );
        return {
          status: 200,
          body: {
            customerId: params.customerId,
            cancelled: results.filter((result) => result.cancelled).map((result) => result.campaign),
          },
        };
      },
    }),
  ];
}
