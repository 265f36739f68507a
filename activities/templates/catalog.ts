import type { TemplateId } from '../../contract/templates';
import type { Db } from '../../platform/db/database';
import {
  loadCurrentTemplate,
  loadTemplateVersion,
  seedBuiltInTemplates,
  type TemplateVersion,
} from '../../platform/db/templates';
import type { Logger } from '../../platform/logger';
import { builtInTemplates } from './index';

/**
 * The templates sends render, read from PostgreSQL. The current version of each template is kept
 * for `TEMPLATE_CACHE_MS` (so an operator's save reaches the sends within that time, without a
 * deploy); a given version never changes, so a retry that asks for one is answered from the cache
 * when it is the current one and from the database otherwise.
 */

export const TEMPLATE_CACHE_MS = 3_000;

export interface TemplateCatalog {
  /** The version to render: `version` when given (a retry of a send already reserved), else the current one. */
  resolve(templateId: TemplateId, version?: number): Promise<TemplateVersion>;
}

/** Stores the built-in templates that are not stored yet (see seedBuiltInTemplates). */
export function seedTemplates(db: Db): Promise<string[]> {
  return seedBuiltInTemplates(db, builtInTemplates());
}

/**
 * Stores the built-in templates in the background at start: a database that is not there yet (a
 * restart during an outage) must not stop the process, and every reader stores them on first use
 * anyway.
 */
export function seedTemplatesInBackground(db: Db, log: Logger): void {
  seedTemplates(db).then(
    (seeded) => {
      if (seeded.length) log.info({ templates: seeded }, 'built-in message templates stored');
    },
    (error: unknown) =>
      log.warn({ err: error }, 'built-in message templates not stored at start; they are stored on first use'),
  );
}

export function createTemplateCatalog(db: Db, options: { cacheMs?: number } = {}): TemplateCatalog {
  const cacheMs = options.cacheMs ?? TEMPLATE_CACHE_MS;
  const current = new Map<TemplateId, { template: TemplateVersion; expiresAtMs: number }>();

  async function loadCurrent(templateId: TemplateId): Promise<TemplateVersion> {
    const cached = current.get(templateId);
    if (cached && cached.expiresAtMs > Date.now()) return cached.template;
    let template = await loadCurrentTemplate(db, templateId);
    if (!template) {
      // A template added to the code after this database was seeded: stored on first use.
      await seedTemplates(db);
      template = await loadCurrentTemplate(db, templateId);
    }
    if (!template) throw new Error(`The template "${templateId}" is neither stored nor built in`);
    current.set(templateId, { template, expiresAtMs: Date.now() + cacheMs });
    return template;
  }

  return {
    async resolve(templateId, version) {
      const latest = current.get(templateId)?.template;
      if (version === undefined) return loadCurrent(templateId);
      if (latest?.version === version) return latest;
      const stored = await loadTemplateVersion(db, templateId, version);
      if (!stored) throw new Error(`The template "${templateId}" has no version ${version}`);
      return stored;
    },
  };
}

const catalogs = new WeakMap<Db, TemplateCatalog>();

/** One catalog (one cache) per database handle: every send of a process shares it. */
export function templateCatalogOf(db: Db): TemplateCatalog {
  let catalog = catalogs.get(db);
  if (!catalog) {
    catalog = createTemplateCatalog(db);
    catalogs.set(db, catalog);
  }
  return catalog;
}
