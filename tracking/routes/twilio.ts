import { Router } from 'express';
import type { TrackingDependencies } from '../dependencies';

/** Twilio's status callbacks and inbound messages (a STOP reply), checked against X-Twilio-Signature. */
export function twilioRoutes(_deps: TrackingDependencies): Router {
  return Router();
}
