import type { Request, RequestHandler } from 'express';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The route template a request matched (never its raw URL, which holds IDs and tokens). */
function routeOf(req: Request, locals: Record<string, unknown>): string {
  if (typeof locals.route === 'string') return locals.route;
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : 'unmatched';
}

/**
 * An HTTP service's Prometheus metrics: `<prefix>_http_requests_total{method,route,status}`,
 * `<prefix>_http_request_duration_seconds{method,route}` and the process's own, labelled by route
 * template (a handler may name it in res.locals.route).
 */
export function createHttpMetrics(prefix: string, service: string, registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
  const requests = new Counter({
    name: `${prefix}_http_requests_total`,
    help: `${service} requests answered`,
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}_http_request_duration_seconds`,
    help: `${service} response time`,
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const measure: RequestHandler = (req, res, next) => {
    const stop = duration.startTimer();
    res.on('finish', () => {
      const route = routeOf(req, res.locals);
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      stop({ method: req.method, route });
    });
    next();
  };

  return { registry, measure };
}
