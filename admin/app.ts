import express, { type Express } from 'express';
import { requireBearerToken } from './auth';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface AdminAppOptions {
  token: string;
  readinessChecks: ReadinessCheck[];
}

/** The operators' HTTP API, built apart from listen() so tests can drive it directly. */
export function createAdminApp(options: AdminAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(options.readinessChecks.map(async ({ name, check }) => {
      try {
        await check();
        return { name, ok: true as const };
      } catch (error) {
        return { name, ok: false as const, error: (error as Error).message };
      }
    }));
    const ready = results.every((result) => result.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: results });
  });

  app.use(requireBearerToken(options.token));

  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
  });

  return app;
}
