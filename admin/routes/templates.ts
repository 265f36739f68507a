import { builtInTemplates, SMS_OPT_OUT } from '../../activities/templates';
import { createTemplateCatalog, seedTemplates } from '../../activities/templates/catalog';
import { renderMessage } from '../../activities/templates/message';
import { SAMPLE_DATA, SAMPLE_FIRST_NAME } from '../../activities/templates/samples';
import { smsLengthReport, validateTemplate, type TemplatePart } from '../../activities/templates/validation';
import type { TemplateId } from '../../contract/templates';
import { findProfile } from '../../platform/db/profiles';
import {
  listTemplateHeads,
  listTemplateVersions,
  loadTemplateVersion,
  saveTemplateVersion,
  type TemplateContent,
  type TemplateVersion,
} from '../../platform/db/templates';
import type { AdminDependencies } from '../dependencies';
import { HttpError } from '../errors';
import { route, type Route } from '../route';
import {
  templateDetailView,
  templateListView,
  templateParams,
  templatePreviewBody,
  templatePreviewView,
  templateRollbackBody,
  templateSaveBody,
  templateVersionParams,
  templateVersionView,
} from '../template-schemas';

/**
 * Message templates as operators edit them: every save is validated and becomes the next version,
 * which sends use within a few seconds (activities/templates/catalog.ts); a rollback saves a copy of
 * an older version as the next one.
 */
export function templateRoutes(deps: AdminDependencies): Route[] {
  const current = (templateId: TemplateId) => createTemplateCatalog(deps.db, { cacheMs: 0 }).resolve(templateId);

  async function version(templateId: TemplateId, number: number, from: 'path' | 'body'): Promise<TemplateVersion> {
    const stored = await loadTemplateVersion(deps.db, templateId, number);
    if (!stored)
      throw new HttpError(404, 'not_found', `The template ${templateId} has no version ${number}.`, {
        field: 'version',
        in: from,
      });
    return stored;
  }

  async function detail(templateId: TemplateId) {
    const [head, versions] = await Promise.all([current(templateId), listTemplateVersions(deps.db, templateId)]);
    return {
      templateId,
      channel: head.content.channel,
      currentVersion: head.version,
      current: versionView(head),
      versions: versions.map((entry) => ({
        templateId: entry.templateId,
        version: entry.version,
        channel: head.content.channel,
        note: entry.note,
        createdBy: entry.createdBy,
        createdAt: entry.createdAt.toISOString(),
      })),
      ...(head.content.channel === 'sms' ? { smsLength: smsLengthReport(templateId, head.content) } : {}),
    };
  }

  async function save(
    templateId: TemplateId,
    content: TemplateContent,
    options: { expectedVersion: number; note?: string | undefined; createdBy?: string | undefined },
  ) {
    await current(templateId); // stores the built-in first if this database has never seen it
    const saved = await saveTemplateVersion(deps.db, templateId, content, options);
    if (saved.kind === 'conflict')
      throw new HttpError(
        409,
        'version_conflict',
        `The template ${templateId} is at version ${saved.currentVersion}, not ${options.expectedVersion}; ` +
          `read it again and retry.`,
        { field: 'expectedVersion', in: 'body' },
      );
    if (saved.kind === 'not_found') throw new Error(`The template ${templateId} is not stored`);
    return { status: 200, body: await detail(templateId) };
  }

  return [
    route({
      method: 'get',
      path: '/templates',
      operationId: 'listTemplates',
      tag: 'Templates',
      summary: 'Every message template: its channel and current version',
      responses: { 200: { description: 'The templates', schema: templateListView } },
      handle: async () => {
        const known = new Set<string>(Object.keys(builtInTemplates()));
        let heads = await listTemplateHeads(deps.db);
        if (heads.filter((head) => known.has(head.templateId)).length < known.size) {
          await seedTemplates(deps.db);
          heads = await listTemplateHeads(deps.db);
        }
        const templates = heads
          .filter((head) => known.has(head.templateId))
          .map((head) => ({
            templateId: head.templateId,
            channel: head.channel,
            currentVersion: head.version,
            updatedAt: head.updatedAt.toISOString(),
          }));
        return { status: 200, body: { templates } };
      },
    }),
    route({
      method: 'get',
      path: '/templates/{templateId}',
      operationId: 'getTemplate',
      tag: 'Templates',
      summary: 'A template: its current version in full and the list of its versions',
      params: templateParams,
      responses: { 200: { description: 'The template', schema: templateDetailView } },
      handle: async ({ params }) => ({ status: 200, body: await detail(params.templateId) }),
    }),
    route({
      method: 'get',
      path: '/templates/{templateId}/versions/{version}',
      operationId: 'getTemplateVersion',
      tag: 'Templates',
      summary: 'One version of a template, in full',
      params: templateVersionParams,
      responses: { 200: { description: 'The version', schema: templateVersionView } },
      errors: { 404: 'The template has no such version.' },
      handle: async ({ params }) => ({
        status: 200,
        body: versionView(await version(params.templateId, params.version, 'path')),
      }),
    }),
    route({
      method: 'put',
      path: '/templates/{templateId}',
      operationId: 'updateTemplate',
      tag: 'Templates',
      summary: 'Save a new version of a template; sends use it within a few seconds',
      description:
        'Validated first: every part compiles (Handlebars) and renders with sample data, values in the HTML stay ' +
        'escaped (no {{{…}}} or {{&…}}), both email bodies carry {{unsubscribeUrl}}, an SMS ends with ' +
        `"${SMS_OPT_OUT}". An email template needs subject, text and html; an SMS template only text.`,
      params: templateParams,
      body: templateSaveBody,
      responses: { 200: { description: 'The template, at its new version', schema: templateDetailView } },
      errors: {
        409: 'The template was saved since expectedVersion.',
        422: 'The template breaks a rule; `field` names the part and `message` the problem.',
      },
      handle: async ({ params, body }) => {
        const { channel } = builtInTemplates()[params.templateId];
        const content = contentFrom(channel, body);
        refuseProblems(validateTemplate(params.templateId, content));
        return save(params.templateId, content, body);
      },
    }),
    route({
      method: 'post',
      path: '/templates/{templateId}/rollback',
      operationId: 'rollbackTemplate',
      tag: 'Templates',
      summary: 'Make an older version current again, by saving a copy of it as the next version',
      params: templateParams,
      body: templateRollbackBody,
      responses: { 200: { description: 'The template, at its new version', schema: templateDetailView } },
      errors: {
        404: 'The template has no such version.',
        409: 'The template was saved since expectedVersion.',
      },
      handle: async ({ params, body }) => {
        const older = await version(params.templateId, body.version, 'body');
        return save(params.templateId, older.content, {
          expectedVersion: body.expectedVersion,
          note: body.note ?? `rollback to version ${older.version}`,
          createdBy: body.createdBy,
        });
      },
    }),
    route({
      method: 'post',
      path: '/templates/{templateId}/preview',
      operationId: 'previewTemplate',
      tag: 'Templates',
      summary: 'Render a version of a template as a send would, with sample content or a real customer',
      description:
        "With `customerId`, the customer's first name is used, as a journey's send for that customer would; " +
        '`data` stands for what the journey passes (cart items, products, incentive code). The unsubscribe link ' +
        'is a placeholder (`…/u/preview`): a preview creates no tracked link.',
      params: templateParams,
      body: templatePreviewBody,
      responses: { 200: { description: 'The rendered message', schema: templatePreviewView } },
      errors: { 404: 'The template has no such version, or the customer is unknown.' },
      handle: async ({ params, body }) => {
        const template =
          body.version === undefined
            ? await current(params.templateId)
            : await version(params.templateId, body.version, 'body');
        let firstName: string | null = SAMPLE_FIRST_NAME;
        if (body.customerId !== undefined) {
          const profile = await findProfile(deps.db, body.customerId);
          if (!profile)
            throw new HttpError(404, 'not_found', `No profile for customer ${body.customerId}.`, {
              field: 'customerId',
              in: 'body',
            });
          firstName = profile.firstName;
        }
        const data = body.data ?? SAMPLE_DATA;
        const message = renderMessage({ id: params.templateId, ...data }, template.content, deps.messageLinks, {
          firstName,
        });
        return {
          status: 200,
          body: {
            templateId: params.templateId,
            version: template.version,
            customerId: body.customerId ?? null,
            firstName,
            ...message,
            ...(template.content.channel === 'sms'
              ? { smsLength: smsLengthReport(params.templateId, template.content) }
              : {}),
          },
        };
      },
    }),
  ];
}

function versionView(template: TemplateVersion) {
  return {
    templateId: template.templateId,
    version: template.version,
    ...template.content,
    note: template.note,
    createdBy: template.createdBy,
    createdAt: template.createdAt.toISOString(),
  };
}

function contentFrom(
  channel: TemplateContent['channel'],
  body: { subject?: string | undefined; text: string; html?: string | undefined },
): TemplateContent {
  const invalid = (field: TemplatePart, problem: string) =>
    new HttpError(422, 'invalid_template', `${field}: ${problem}`, { field, in: 'body' });
  if (channel === 'sms') {
    if (body.subject !== undefined) throw invalid('subject', 'an SMS template has no subject');
    if (body.html !== undefined) throw invalid('html', 'an SMS template has no HTML part');
    return { channel, text: body.text };
  }
  if (body.subject === undefined) throw invalid('subject', 'an email template needs a subject');
  if (body.html === undefined) throw invalid('html', 'an email template needs an HTML part');
  return { channel, subject: body.subject, text: body.text, html: body.html };
}

function refuseProblems(problems: Array<{ field: TemplatePart; problem: string }>): void {
  const first = problems[0];
  if (!first) return;
  throw new HttpError(422, 'invalid_template', `${first.field}: ${first.problem}`, {
    field: first.field,
    in: 'body',
    issues: problems.map(({ field, problem }) => ({ field, message: problem })),
  });
}
