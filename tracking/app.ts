import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { TrackingDependencies } from './dependencies';
import { linkRoutes } from './routes/links';
import { sendgridRoutes } from './routes/sendgrid';
import { twilioRoutes } from './routes/twilio';

export interface TrackingAppOptions {
  /** Requests per minute from one client address before 429. */
  rateLimitPerMinute: number;
  /** How many proxies (a CDN, a load balancer) stand in front; 0 when reached directly. */
  trustedProxies: number;
  /** Counts each request for the metrics (platform/http-metrics.ts); they are served on another port. */
  measure?: RequestHandler;
}

/**
 * The public side of the engine: what customers' clicks and providers' callbacks reach. No bearer
 * token: every request proves itself with a signature, or changes nothing.
 */
export function createTrackingApp(deps: TrackingDependencies, options: TrackingAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustedProxies);
  if (options.measure) app.use(options.measure);
  app.use((_req, res, next) => {
    // Nothing of a tracked URL leaks to the page it leads to; nothing here is framed or sniffed.
    res.set({
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: options.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      // Only what browsers and image proxies fetch. Providers' webhooks and one-click POSTs come in
      // bulk from a few addresses, are not retried after a 429, and prove themselves by signature.
      skip: (req) => req.method !== 'GET',
      handler: (_req, res) => {
        res.status(429).type('text/plain').send('Too many requests; try again in a minute.\n');
      },
    }),
  );

  app.use(linkRoutes(deps));
  app.use(twilioRoutes(deps));
  app.use(sendgridRoutes(deps));

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found.\n');
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).type('text/plain').send('Bad request.\n');
      return;
    }
    deps.logger.error({ err: error }, 'tracking request failed');
    res.status(503).type('text/plain').send('Temporarily unavailable; please try again.\n');
  });
  return app;
}
