import express, { type RequestHandler } from 'express';
import twilio from 'twilio';
import type { TrackingDependencies } from '../dependencies';

const TWILIO_FORM_LIMIT = '64kb';

/**
 * What every Twilio webhook goes through: 404 while no TWILIO_AUTH_TOKEN is configured, then the
 * form body, then X-Twilio-Signature over the URL Twilio called (TRACKING_PUBLIC_URL and the path
 * with its query) and the form's fields: missing or wrong is 403, and nothing else happens.
 */
export function twilioWebhook(deps: TrackingDependencies): RequestHandler[] {
  const enabled: RequestHandler = (_req, res, next) => {
    if (deps.twilioAuthToken) return next();
    res.status(404).type('text/plain').send('Not found: Twilio webhooks are off (no TWILIO_AUTH_TOKEN).\n');
  };
  const signed: RequestHandler = (req, res, next) => {
    const signature = req.get('X-Twilio-Signature');
    const params = (req.body ?? {}) as Record<string, unknown>;
    const url = `${deps.publicUrl}${req.originalUrl}`;
    if (signature && twilio.validateRequest(deps.twilioAuthToken!, signature, url, params)) return next();
    deps.logger.warn({ path: req.path, signed: Boolean(signature) }, 'Twilio webhook refused: bad signature');
    res.status(403).type('text/plain').send('Forbidden: missing or invalid X-Twilio-Signature.\n');
  };
  return [enabled, express.urlencoded({ extended: false, limit: TWILIO_FORM_LIMIT }), signed];
}
