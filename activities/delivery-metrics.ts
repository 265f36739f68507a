import { Counter, register } from 'prom-client';

/**
 * Sends held back because our own deployment is misconfigured (credentials, sender). Registered on
 * prom-client's default registry, which a process serves at /metrics.
 */
export const deliveryMisconfigured = new Counter({
  name: 'delivery_misconfigured_total',
  help: "Send attempts refused because of the deployment's provider credentials or sender; retried until fixed",
  labelNames: ['channel', 'reason'],
  registers: [register],
});
