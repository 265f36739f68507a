import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../platform/logger';

/**
 * One log line per request: method, path, route template, status and time. No headers and no
 * bodies; the logger masks emails and phone numbers in the path.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = req.get('x-request-id')?.slice(0, 100) ?? randomUUID();
    res.set('X-Request-Id', requestId);
    res.on('finish', () => {
      const entry = {
        requestId,
        method: req.method,
        path: decodedPath(req.originalUrl),
        route: typeof res.locals.route === 'string' ? res.locals.route : undefined,
        status: res.statusCode,
        durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      };
      if (res.statusCode >= 500) logger.error(entry, 'admin request');
      else if (res.statusCode >= 400) logger.warn(entry, 'admin request');
      else logger.info(entry, 'admin request');
    });
    next();
  };
}

/** Decoded, so that the logger's mask sees an email written as %40 too. */
function decodedPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
