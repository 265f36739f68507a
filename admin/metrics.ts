import type { RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The admin API's Prometheus metrics, labelled by route template (never by raw URL, which holds IDs). */
export function createAdminMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'admin_' });
  const requests = new Counter({
    name: 'admin_http_requests_total',
    help: 'Admin API requests answered',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'admin_http_request_duration_seconds',
    help: 'Admin API response time',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  /** Counts every response; a route handler names its template in res.locals.route. */
  const measure: RequestHandler = (req, res, next) => {
    const stop = duration.startTimer();
    res.on('finish', () => {
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      stop({ method: req.method, route });
    });
    next();
  };

  return { registry, measure };
}
