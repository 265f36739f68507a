import { Router } from 'express';
import type { TrackingDependencies } from '../dependencies';

/** Click redirects, the open pixel and unsubscribes: the links in sent messages. */
export function linkRoutes(_deps: TrackingDependencies): Router {
  return Router();
}
