import { Router } from 'express';
import type { TrackingDependencies } from '../dependencies';

/** SendGrid's Signed Event Webhook: bounces, complaints and deliveries of emails. */
export function sendgridRoutes(_deps: TrackingDependencies): Router {
  return Router();
}
