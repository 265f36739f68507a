import express, { Router, type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from '../platform/logger';
import { requireBearerToken } from './auth';
import type { AdminDependencies } from './dependencies';
import { errorHandler, HttpError } from './errors';
import { idempotentPosts } from './idempotency';
import { registerCampaignGauges } from './campaign-metrics';
import { createHttpMetrics } from '../platform/http-metrics';
import { createOpenApiDocument } from './openapi';
import { checkReadiness, READINESS_TIMEOUT_MS, type ReadinessCheck } from './readiness';
import { requestLog } from './request-log';
import { mountRoutes, type Route } from './route';
import { campaignLifecycleRoutes } from './routes/campaign-lifecycle';
import { campaignReportRoutes } from './routes/campaign-report';
import { campaignRoutes } from './routes/campaigns';
import { launchRoutes } from './routes/launches';
import { customerRoutes } from './routes/customers';
import { journeyRoutes } from './routes/journeys';
import { suppressionRoutes } from './routes/suppressions';
import { templateRoutes } from './routes/templates';
import { testSendRoutes } from './routes/test-sends';

export interface AdminAppOptions {
  token: string;
  readinessChecks: ReadinessCheck[];
  dependencies: AdminDependencies;
  logger: Logger;
  /** Requests per minute from one client address. */
  rateLimitPerMinute: number;
  idempotencyRetentionMs: number;
  /** How long a key's first request may run before a repeat may take its place. */
  idempotencyLeaseMs: number;
}

export function adminRoutes(deps: AdminDependencies): Route[] {
  return [
    ...campaignRoutes(deps),
    ...campaignLifecycleRoutes(deps),
    ...campaignReportRoutes(deps),
    ...launchRoutes(deps),
    ...journeyRoutes(deps),
    ...customerRoutes(deps),
    ...testSendRoutes(deps),
    ...templateRoutes(deps),
    ...suppressionRoutes(deps),
  ];
}

/** The operators' HTTP API, built apart from listen() so tests can drive it directly. */
export function createAdminApp(options: AdminAppOptions): Express {
  const routes = adminRoutes(options.dependencies);
  const openApi = createOpenApiDocument(routes);
  const metrics = createHttpMetrics('admin', 'Admin API');
  registerCampaignGauges(
    metrics.registry,
    options.dependencies.db,
    options.dependencies.deploymentOverrides,
    options.logger,
  );
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(options.logger), metrics.measure);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await checkReadiness(options.readinessChecks, READINESS_TIMEOUT_MS, options.logger);
    const ready = results.every((result) => result.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: results });
  });

  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: options.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => {
        res
          .status(429)
          .json(
            new HttpError(
              429,
              'rate_limited',
              `More than ${options.rateLimitPerMinute} requests in a minute; ` +
                `retry after the time in the RateLimit header.`,
            ).body,
          );
      },
    }),
  );
  app.use(requireBearerToken(options.token));
  app.use(express.json({ limit: '100kb' }));

  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });

  const router = Router();
  mountRoutes(router, routes, {
    wrapPost: idempotentPosts(options.dependencies.db, options.idempotencyRetentionMs, options.idempotencyLeaseMs),
  });
  app.use(router);

  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
  });
  app.use(errorHandler(options.logger));
  return app;
}
