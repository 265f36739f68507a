import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * More series in the Prometheus text format, appended to the registry's (another exporter in the
 * same process). Resolves to '' when they cannot be read: the registry's are served all the same.
 */
export type MetricsAppendix = () => Promise<string>;

/** A small HTTP server for /metrics (Prometheus text format) and /healthz. */
export function createMetricsServer(registry: Registry, host: string, port: number, appendix?: MetricsAppendix) {
  let server: Server | null = null;
  const body = async () => {
    const [own, more] = await Promise.all([registry.metrics(), appendix ? appendix() : '']);
    return more ? `${own.replace(/\n*$/, '\n')}${more}` : own;
  };
  return {
    async start(): Promise<string> {
      server = createServer((req, res) => {
        if (req.url === '/metrics') {
          body().then(
            (text) => {
              res.writeHead(200, { 'content-type': registry.contentType });
              res.end(text);
            },
            (error: Error) => {
              res.writeHead(500, { 'content-type': 'text/plain' });
              res.end(error.message);
            },
          );
        } else if (req.url === '/healthz') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"status":"ok"}');
        } else {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"error":"not_found"}');
        }
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, resolve);
      });
      const address = server.address() as AddressInfo;
      return `http://${address.address}:${address.port}`;
    },
    async stop(): Promise<void> {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
