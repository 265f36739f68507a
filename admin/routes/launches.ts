import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { CAMPAIGN_TYPES } from '../../contract/campaigns';
import type { CampaignType } from '../../contract/journeys';
import { campaignLifecycle } from '../../platform/db/campaign-settings';
import { createLaunch, findLaunch, launchTotals, listLaunches, type Launch } from '../../platform/db/launches';
import type { LaunchState } from '../../contract/campaign-workflows';
import { launchWorkflowId, type LaunchControl } from '../../platform/temporal/campaigns';
import { readAudienceLines } from '../audience-upload';
import type { AdminDependencies } from '../dependencies';
import { HttpError, notFound } from '../errors';
import {
  audienceMemberSchema,
  launchBody,
  launchCancelBody,
  launchListView,
  launchParams,
  launchView,
  uploadQuery,
} from '../launch-schemas';
import { route, type Route } from '../route';
import { campaignParams } from '../schemas';
import { pascal } from './campaigns';

const JSONL = 'application/x-ndjson';
const UPLOAD_LIMITS = { maxBytes: 512 * 1024 * 1024, maxLineBytes: 64 * 1024, maxLines: 5_000_000 };
const DEFAULT_RATE = 10;

const launchPath = (campaign: string, launchId: string) => `/campaigns/${campaign}/launches/${launchId}`;

/** Launch a campaign for an audience; list, inspect, pause, resume and cancel launches. */
export function launchRoutes(deps: AdminDependencies): Route[] {
  const links = (launch: Launch) => ({
    self: launchPath(launch.campaign, launch.launchId),
    temporalUi: deps.temporalUiUrl({ workflowId: launchWorkflowId(launch.campaign as CampaignType, launch.launchId) }),
  });
  const summary = (launch: Launch) => ({
    launchId: launch.launchId,
    campaign: launch.campaign as CampaignType,
    ratePerSecond: launch.ratePerSecond,
    startAt: launch.startAt?.toISOString() ?? null,
    source: launch.source,
    audienceSize: launch.audienceSize,
    duplicates: launch.duplicates,
    createdAt: launch.createdAt.toISOString(),
    links: links(launch),
  });
  /** The launch with its totals; its state from the workflow, unless `state` is already known. */
  async function view(launch: Launch, state?: LaunchState) {
    const [totals, progress] = await Promise.all([
      launchTotals(deps.db, launch.launchId),
      state ?? deps.campaigns.launchProgress(launch.campaign as CampaignType, launch.launchId).catch(() => null),
    ]);
    return { ...summary(launch), state: typeof progress === 'string' ? progress : (progress?.state ?? null), totals };
  }
  async function existing(campaign: CampaignType, launchId: string): Promise<Launch> {
    const launch = await findLaunch(deps.db, campaign, launchId);
    if (!launch) throw notFound(`No launch ${launchId} of ${campaign}.`);
    return launch;
  }

  async function launch(
    campaign: CampaignType,
    audience: Parameters<typeof createLaunch>[2],
    options: { ratePerSecond: number; startAt: string | undefined; source: Launch['source'] },
  ) {
    if ((await campaignLifecycle(deps.db, campaign)).cancelled)
      throw new HttpError(409, 'campaign_cancelled', `${campaign} is cancelled; start it again to launch it.`);
    const created = await createLaunch(
      deps.db,
      {
        launchId: randomUUID(),
        campaign,
        ratePerSecond: options.ratePerSecond,
        startAt: options.startAt ? new Date(options.startAt) : null,
        source: options.source,
      },
      audience,
    );
    if (created.audienceSize === 0)
      throw new HttpError(422, 'empty_audience', 'The audience has no customer.', { field: 'body', in: 'body' });
    await deps.campaigns.startLaunch({
      launchId: created.launchId,
      campaign,
      audienceSize: created.audienceSize,
      ratePerSecond: created.ratePerSecond,
      startAtMs: created.startAt?.getTime() ?? null,
    });
    const scheduled = created.startAt !== null && created.startAt.getTime() > Date.now();
    return { status: 201, body: await view(created, scheduled ? 'scheduled' : 'running') };
  }

  const creates = CAMPAIGN_TYPES.map((campaign) =>
    route({
      method: 'post',
      path: `/campaigns/${campaign}/launches`,
      operationId: `launch${pascal(campaign)}`,
      tag: 'Launches',
      summary: `Launch ${campaign} for an audience`,
      description:
        'Enters every customer of the audience into the campaign, at most once each, at `ratePerSecond`, from ' +
        '`startAt`. Each entry follows the rules of a real-time one (consent, cap, quiet hours, cooldown). ' +
        `Send the audience inline as JSON (up to 1,000 customers), or stream any number as \`${JSONL}\` ` +
        '(one start body per line) with `ratePerSecond` and `startAt` in the query.',
      query: uploadQuery,
      body: launchBody(campaign),
      upload: {
        mediaType: JSONL,
        description: `One JSON object per line, each the campaign's start body, e.g. {"customerId": "c-1"…}`,
      },
      responses: { 201: { description: 'The launch was created and started', schema: launchView } },
      errors: {
        409: 'The campaign is cancelled.',
        413: 'The upload is over its size or line limit.',
        422: 'The audience is empty, or a line of the upload is invalid (`field` names the line and the field).',
      },
      handle: async ({ body, query }, req: Request) => {
        if (!body)
          return launch(campaign, readAudienceLines(req, audienceMemberSchema(campaign), UPLOAD_LIMITS), {
            ratePerSecond: query.ratePerSecond ?? DEFAULT_RATE,
            startAt: query.startAt,
            source: 'upload',
          });
        if ((body.customers === undefined) === (body.customerIds === undefined))
          throw new HttpError(400, 'invalid_request', 'customers: give either customers or customerIds', {
            field: 'customers',
            in: 'body',
          });
        const members = body.customers ?? body.customerIds!.map((customerId) => ({ customerId }));
        const schema = audienceMemberSchema(campaign);
        const audience = members.map((member, index) => {
          const parsed = schema.safeParse(member);
          if (!parsed.success)
            throw new HttpError(
              422,
              'invalid_audience',
              `customerIds.${index}: ${campaign} needs more than a customer ID (${parsed.error.issues[0]!.message}); ` +
                'send customers instead',
              { field: `customerIds.${index}`, in: 'body' },
            );
          const { customerId, ...entry } = parsed.data as { customerId: string } & Record<string, unknown>;
          return { customerId, entry };
        });
        return launch(campaign, audience, {
          ratePerSecond: body.ratePerSecond,
          startAt: body.startAt,
          source: 'inline',
        });
      },
    }),
  );

  const control = (action: LaunchControl, summaryText: string) =>
    route({
      method: 'post',
      path: `/campaigns/{campaign}/launches/{launchId}/${action}`,
      operationId: `${action}Launch`,
      tag: 'Launches',
      summary: summaryText,
      params: launchParams,
      ...(action === 'cancel' ? { body: launchCancelBody } : {}),
      responses: { 200: { description: 'The launch', schema: launchView } },
      errors: { 404: 'No such launch.', 409: 'The launch has already ended.' },
      handle: async ({ params, body }) => {
        const found = await existing(params.campaign, params.launchId);
        const reason = (body as { reason?: string } | undefined)?.reason ?? '';
        if (!(await deps.campaigns.controlLaunch(params.campaign, params.launchId, action, reason)))
          throw new HttpError(409, 'launch_ended', `Launch ${params.launchId} has already ended.`);
        return { status: 200, body: await view(found) };
      },
    });

  return [
    ...creates,
    route({
      method: 'get',
      path: '/campaigns/{campaign}/launches',
      operationId: 'listLaunches',
      tag: 'Launches',
      summary: "The campaign's launches, newest first (the latest 100)",
      params: campaignParams,
      responses: { 200: { description: 'The launches', schema: launchListView } },
      handle: async ({ params }) => ({
        status: 200,
        body: { launches: (await listLaunches(deps.db, params.campaign, 100)).map(summary) },
      }),
    }),
    route({
      method: 'get',
      path: '/campaigns/{campaign}/launches/{launchId}',
      operationId: 'getLaunch',
      tag: 'Launches',
      summary: 'A launch: its state and how many customers were entered, skipped (by reason) or failed',
      params: launchParams,
      responses: { 200: { description: 'The launch', schema: launchView } },
      errors: { 404: 'No such launch.' },
      handle: async ({ params }) => ({
        status: 200,
        body: await view(await existing(params.campaign, params.launchId)),
      }),
    }),
    control('pause', 'Pause a launch: no more customers are entered until it is resumed'),
    control('resume', 'Resume a paused launch'),
    control('cancel', 'Cancel a launch: no more customers are entered (journeys already started go on)'),
  ];
}
