import { loadCurrentSettings } from '../../platform/db/current-settings';
import { InvalidSettingsError, resolveSettings } from '../../contract/settings/overrides';
import {
  loadScopeSettings,
  loadStoredSettings,
  saveOverrides,
  setCampaignPaused,
} from '../../platform/db/campaign-settings';
import { CAMPAIGN_TYPES } from '../../contract/campaigns';
import type { CampaignType } from '../../contract/journeys';
import type { AdminDependencies } from '../dependencies';
import { HttpError } from '../errors';
import { route, type Route } from '../route';
import { campaignParams, resumeView, scopeOverridesSchema, settingsUpdateBody, settingsView } from '../schemas';
import type { Request } from 'express';
import { z } from 'zod';

const CONTACT = 'contact';
type Scope = CampaignType | typeof CONTACT;

/** Campaign settings, pause and resume, and the contact policy shared by all campaigns. */
export function campaignRoutes(deps: AdminDependencies): Route[] {
  async function view(scope: Scope) {
    const [stored, { resolved }] = await Promise.all([
      loadScopeSettings(deps.db, scope),
      loadCurrentSettings(deps.db, deps.deploymentOverrides),
    ]);
    return {
      scope,
      ...(scope === CONTACT ? {} : { paused: stored.paused }),
      version: stored.version,
      updatedAt: stored.updatedAt?.toISOString() ?? null,
      overrides: stored.overrides,
      effective: (scope === CONTACT ? resolved.contact : resolved.campaigns[scope]) as unknown as Record<
        string,
        unknown
      >,
    };
  }

  async function update(scope: Scope, overrides: object, expectedVersion: number | undefined) {
    const stored = await loadStoredSettings(deps.db);
    try {
      resolveSettings([
        { source: 'CAMPAIGN_SETTINGS', overrides: deps.deploymentOverrides ?? {} },
        { source: 'the request', overrides: { ...stored.overrides, [scope]: overrides } },
      ]);
    } catch (error) {
      if (error instanceof InvalidSettingsError)
        throw new HttpError(422, 'invalid_settings', error.message, { field: 'overrides', in: 'body' });
      throw error;
    }
    if (!(await saveOverrides(deps.db, scope, overrides, expectedVersion))) {
      const current = await loadScopeSettings(deps.db, scope);
      throw new HttpError(
        409,
        'version_conflict',
        `The settings are at version ${current.version}, not ${expectedVersion}; read them again and retry.`,
        { field: 'expectedVersion', in: 'body' },
      );
    }
    return { status: 200, body: await view(scope) };
  }

  return [
    route({
      method: 'get',
      path: '/campaigns',
      operationId: 'listCampaigns',
      tag: 'Campaigns',
      summary: 'Every campaign with its state and effective settings',
      responses: { 200: { description: 'The campaigns', schema: z.object({ campaigns: z.array(settingsView) }) } },
      handle: async () => ({ status: 200, body: { campaigns: await Promise.all(CAMPAIGN_TYPES.map(view)) } }),
    }),
    route({
      method: 'get',
      path: '/campaigns/{campaign}',
      operationId: 'getCampaign',
      tag: 'Campaigns',
      summary: 'One campaign: paused or not, its settings and their version',
      params: campaignParams,
      responses: { 200: { description: 'The campaign', schema: settingsView } },
      handle: async ({ params }) => ({ status: 200, body: await view(params.campaign) }),
    }),
    ...CAMPAIGN_TYPES.map((campaign) =>
      route({
        method: 'put',
        path: `/campaigns/${campaign}/settings`,
        operationId: `update${pascal(campaign)}Settings`,
        tag: 'Campaigns',
        summary: `Replace the operators' overrides of the ${campaign} settings`,
        description:
          'Durations are text ("90s", "3 days") or milliseconds. Journeys read the settings at their next step.',
        body: settingsUpdateBody(scopeOverridesSchema(campaign)),
        responses: { 200: { description: 'The new settings', schema: settingsView } },
        errors: {
          409: 'The settings changed since expectedVersion.',
          422: "The overrides are valid alone but not together with the deployment's.",
        },
        handle: ({ body }, req) => update(campaign, writtenOverrides(req), body.expectedVersion),
      }),
    ),
    route({
      method: 'post',
      path: '/campaigns/{campaign}/pause',
      operationId: 'pauseCampaign',
      tag: 'Campaigns',
      summary: 'Pause a campaign: no new journeys start, and running ones hold their next send',
      params: campaignParams,
      responses: { 200: { description: 'The campaign, paused', schema: settingsView } },
      handle: async ({ params }) => {
        await setCampaignPaused(deps.db, params.campaign, true);
        return { status: 200, body: await view(params.campaign) };
      },
    }),
    route({
      method: 'post',
      path: '/campaigns/{campaign}/resume',
      operationId: 'resumeCampaign',
      tag: 'Campaigns',
      summary: 'Resume a campaign: held journeys send at once and new journeys start again',
      params: campaignParams,
      responses: { 200: { description: 'The campaign, running', schema: resumeView } },
      handle: async ({ params }) => {
        await setCampaignPaused(deps.db, params.campaign, false);
        const resumedJourneys = await deps.journeys.resumeHeld(params.campaign);
        return { status: 200, body: { ...(await view(params.campaign)), resumedJourneys } };
      },
    }),
    route({
      method: 'get',
      path: '/contact-policy',
      operationId: 'getContactPolicy',
      tag: 'Campaigns',
      summary: 'The contact policy every campaign shares: frequency cap, quiet hours, default time zone',
      responses: { 200: { description: 'The contact policy', schema: settingsView } },
      handle: async () => ({ status: 200, body: await view(CONTACT) }),
    }),
    route({
      method: 'put',
      path: '/contact-policy',
      operationId: 'updateContactPolicy',
      tag: 'Campaigns',
      summary: "Replace the operators' overrides of the contact policy",
      body: settingsUpdateBody(scopeOverridesSchema(CONTACT)),
      responses: { 200: { description: 'The new contact policy', schema: settingsView } },
      errors: {
        409: 'The policy changed since expectedVersion.',
        422: "The overrides are valid alone but not together with the deployment's.",
      },
      handle: ({ body }, req) => update(CONTACT, writtenOverrides(req), body.expectedVersion),
    }),
  ];
}

/** Overrides are stored as the operator wrote them ("90s"), once validated. */
const writtenOverrides = (req: Request) => (req.body as { overrides: object }).overrides;

export const pascal = (name: string) =>
  name
    .split('-')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
