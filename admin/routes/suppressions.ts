import { addSuppression, liftSuppression, listSuppressions, suppressionInForce } from '../../platform/db/suppressions';
import type { Suppression } from '../../platform/db/suppressions';
import type { AdminDependencies } from '../dependencies';
import { HttpError, notFound } from '../errors';
import { route, type Route } from '../route';
import {
  liftBody,
  suppressionBody,
  suppressionIdParams,
  suppressionListQuery,
  suppressionListView,
  suppressionView,
} from '../suppression-schemas';

const viewOf = (suppression: Suppression) => ({
  ...suppression,
  createdAt: suppression.createdAt.toISOString(),
  inForce: suppression.liftedAt === null,
  liftedAt: suppression.liftedAt?.toISOString() ?? null,
});

/** The suppression list: addresses no campaign may contact, from provider feedback or an operator. */
export function suppressionRoutes(deps: AdminDependencies): Route[] {
  return [
    route({
      method: 'get',
      path: '/suppressions',
      operationId: 'listSuppressions',
      tag: 'Suppressions',
      summary: 'List the suppressed addresses, oldest first',
      description:
        'Suppressions in force, or every one with `includeLifted=true`. Paged by id: pass `nextAfterId` as ' +
        '`afterId`.',
      query: suppressionListQuery,
      responses: { 200: { description: 'One page of suppressions', schema: suppressionListView } },
      handle: async ({ query }) => {
        const page = await listSuppressions(deps.db, { ...query, limit: query.pageSize });
        return { status: 200, body: { suppressions: page.suppressions.map(viewOf), nextAfterId: page.nextAfterId } };
      },
    }),
    route({
      method: 'post',
      path: '/suppressions',
      operationId: 'addSuppression',
      tag: 'Suppressions',
      summary: 'Suppress an address: no campaign sends to it until the suppression is lifted',
      description: "Checked at every send, with the frequency cap; the journey's step is skipped as `suppressed`.",
      body: suppressionBody,
      responses: { 201: { description: 'The address is suppressed', schema: suppressionView } },
      errors: { 409: 'The address is already suppressed; the body names the suppression in force.' },
      handle: async ({ body }) => {
        const added = await addSuppression(deps.db, {
          channel: body.channel,
          address: body.address,
          reason: 'operator',
          source: 'admin',
          detail: body.note ?? null,
        });
        if (!added) {
          const existing = await suppressionInForce(deps.db, body.channel, body.address);
          throw new HttpError(
            409,
            'already_suppressed',
            `address: already suppressed (suppression ${existing?.id ?? 'in force'}, ${existing?.reason ?? ''})`,
            { field: 'address', in: 'body' },
          );
        }
        return { status: 201, body: viewOf(added) };
      },
    }),
    route({
      method: 'post',
      path: '/suppressions/{id}/lift',
      operationId: 'liftSuppression',
      tag: 'Suppressions',
      summary: 'Lift a suppression: the address may be contacted again (consent still applies)',
      params: suppressionIdParams,
      body: liftBody,
      responses: { 200: { description: 'The suppression, lifted', schema: suppressionView } },
      errors: { 404: 'No suppression in force has this id (none, or already lifted).' },
      handle: async ({ params, body }) => {
        const lifted = await liftSuppression(deps.db, params.id, { by: 'admin', note: body?.note });
        if (!lifted) throw notFound(`No suppression in force with id ${params.id}.`);
        return { status: 200, body: viewOf(lifted) };
      },
    }),
  ];
}
