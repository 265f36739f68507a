import { randomUUID } from 'node:crypto';
import { loadCurrentSettings } from '../../platform/db/current-settings';
import { campaignDefinition, entryEventFor, startRefusal, CAMPAIGN_TYPES } from '../../contract/campaigns';
import { campaignLifecycle } from '../../platform/db/campaign-settings';
import { listJourneyMessages } from '../../platform/db/delivery-ledger';
import { JourneyAlreadyRunningError, journeyQuery } from '../../platform/temporal/journeys';
import { journeyDeliveryKeyPrefix, journeyWorkflowId, type CampaignType } from '../../contract/journeys';
import type { AdminDependencies } from '../dependencies';
import { HttpError, notFound } from '../errors';
import { withEngagement } from '../engagement-timeline';
import { lookUpJourney } from '../journey-lookup';
import { pageTokens } from '../page-token';
import { route, type Route } from '../route';
import {
  cancelBody,
  cancelledView,
  journeyDetailView,
  journeyListQuery,
  journeyListView,
  journeyParams,
  startBodies,
  startedView,
} from '../schemas';
import { pascal } from './campaigns';

const journeyPath = (campaign: CampaignType, customerId: string) =>
  `/campaigns/${campaign}/journeys/${encodeURIComponent(customerId)}`;

/** Start, list, inspect and cancel journeys. */
export function journeyRoutes(deps: AdminDependencies): Route[] {
  const tokens = pageTokens(deps.pageTokenSecret);
  const links = (campaign: CampaignType, customerId: string) => ({
    self: journeyPath(campaign, customerId),
    temporalUi: deps.temporalUiUrl({ workflowId: journeyWorkflowId(campaign, customerId) }),
  });

  const starts = CAMPAIGN_TYPES.map((campaign) => {
    const { refusedWhen } = campaignDefinition(campaign).start as { refusedWhen?: string };
    return route({
      method: 'post',
      path: `/campaigns/${campaign}/journeys`,
      operationId: `start${pascal(campaign)}Journey`,
      tag: 'Journeys',
      summary: `Start a ${campaign} journey for a customer`,
      description:
        'The journey enters as if the storefront had sent its entry event now. ' +
        '`overrides` give this journey alone its own settings (short delays for a test, say).',
      body: startBodies[campaign],
      responses: { 201: { description: 'The journey started', schema: startedView } },
      errors: {
        409: 'The campaign is paused or cancelled, or the customer is already in this journey.',
        ...(refusedWhen === undefined ? {} : { 422: refusedWhen }),
      } as Record<number, string>,
      handle: async ({ body }, req) => {
        const lifecycle = await campaignLifecycle(deps.db, campaign);
        if (lifecycle.cancelled)
          throw new HttpError(409, 'campaign_cancelled', `${campaign} is cancelled; start it again to start journeys.`);
        if (lifecycle.paused)
          throw new HttpError(409, 'campaign_paused', `${campaign} is paused; resume it to start journeys.`);
        const rawOverrides = (req.body as { overrides?: Record<string, unknown> }).overrides;
        if (refusedWhen) {
          const { resolved } = await loadCurrentSettings(
            deps.db,
            deps.deploymentOverrides,
            rawOverrides && { [campaign]: rawOverrides },
          );
          const refused = startRefusal(campaign, body, resolved.campaigns);
          if (refused) throw new HttpError(422, refused.code, refused.message, { field: refused.field, in: 'body' });
        }
        try {
          const started = await deps.journeys.start(
            campaign,
            entryEventFor(campaign, body, { eventId: `admin-${randomUUID()}`, occurredAt: new Date().toISOString() }),
            {
              overrides: rawOverrides,
              startedBy: 'an operator (admin API)',
            },
          );
          return {
            status: 201,
            body: { ...started, campaign, customerId: body.customerId, links: links(campaign, body.customerId) },
          };
        } catch (error) {
          if (error instanceof JourneyAlreadyRunningError)
            throw new HttpError(409, 'journey_running', error.message, { field: 'customerId', in: 'body' });
          throw error;
        }
      },
    });
  });

  return [
    ...starts,
    route({
      method: 'get',
      path: '/journeys',
      operationId: 'listJourneys',
      tag: 'Journeys',
      summary: 'List journeys from Temporal visibility, newest first',
      description:
        'Filters combine with AND. Visibility is eventually consistent: a change shows here within a second or so.',
      query: journeyListQuery,
      responses: { 200: { description: 'One page of journeys', schema: journeyListView } },
      handle: async ({ query }) => {
        const { pageSize, pageToken, ...filter } = query;
        const filterQuery = journeyQuery(filter);
        const token = pageToken === undefined ? undefined : tokens.redeem(pageToken, filterQuery);
        if (token === null)
          throw new HttpError(400, 'invalid_request', 'pageToken: not a token this API issued for this filter', {
            field: 'pageToken',
            in: 'query',
          });
        const page = await deps.journeys.list(filter, { size: pageSize, ...(token ? { token } : {}) });
        return {
          status: 200,
          body: {
            journeys: page.journeys,
            nextPageToken: page.nextPageToken && tokens.issue(page.nextPageToken, filterQuery),
            temporalUi: deps.temporalUiUrl({ query: filterQuery }),
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/campaigns/{campaign}/journeys/{customerId}',
      operationId: 'getJourney',
      tag: 'Journeys',
      summary: "A customer's journey in a campaign: its live state, timeline, messages, outcome and Web UI link",
      description:
        'The latest journey that ran (was admitted), with its timeline and messages; runs refused at admission ' +
        '(a replayed entry, a stale one, a cooldown) are listed apart in `refusedRuns`, so a replay of the topic ' +
        'never hides the journey that messaged the customer.',
      params: journeyParams,
      responses: {
        200: { description: 'The latest journey of the customer in this campaign', schema: journeyDetailView },
      },
      errors: { 404: 'The customer never entered this campaign.' },
      handle: async ({ params: { campaign, customerId } }) => {
        const lookup = await lookUpJourney(deps, campaign, customerId);
        if (!lookup) throw notFound(`Customer ${customerId} has no ${campaign} journey.`);
        const { journey, live, refusedRuns } = lookup;
        const state = 'state' in live ? live.state : null;
        const messages = state?.journeyId
          ? await listJourneyMessages(deps.db, journeyDeliveryKeyPrefix(campaign, customerId, state.journeyId))
          : [];
        return {
          status: 200,
          body: {
            journey,
            state: state && {
              journeyId: state.journeyId,
              stage: state.stage,
              outcome: state.outcome,
              lastMessage: state.lastMessage,
              messagesSent: state.messagesSent,
              timeline: withEngagement(state.timeline, messages),
            },
            ...('error' in live ? { stateError: live.error } : {}),
            refusedRuns,
            messages: messages.map(({ deliveryStatusAt, opens, clicks, ...message }) => ({
              ...message,
              createdAt: message.createdAt.toISOString(),
              sentAt: message.sentAt?.toISOString() ?? null,
              deliveredAt: message.deliveredAt?.toISOString() ?? null,
              deliveryStatusAt: deliveryStatusAt?.toISOString() ?? null,
              opens: { count: opens.count, first: opens.first?.toISOString() ?? null },
              clicks: { count: clicks.count, first: clicks.first?.toISOString() ?? null },
            })),
            links: links(campaign, customerId),
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/campaigns/{campaign}/journeys/{customerId}/cancel',
      operationId: 'cancelJourney',
      tag: 'Journeys',
      summary: 'Cancel a customer\'s running journey; it sends nothing more and ends with outcome "cancelled"',
      params: journeyParams,
      body: cancelBody,
      responses: { 200: { description: 'The journey was told to end', schema: cancelledView } },
      errors: { 404: 'The customer has no running journey in this campaign.' },
      handle: async ({ params: { campaign, customerId }, body }) => {
        if (!(await deps.journeys.cancel(campaign, customerId, body.reason)))
          throw notFound(`Customer ${customerId} has no running ${campaign} journey.`);
        return { status: 200, body: { workflowId: journeyWorkflowId(campaign, customerId), cancelled: true } };
      },
    }),
  ];
}
