import type { Server } from 'node:http';
import { sql } from 'kysely';
import { createDb } from '../db/database';
import type { AdminConfig } from '../lib/config';
import { createKafka } from '../lib/kafka';
import type { Logger } from '../lib/logger';
import { connectTemporalClient } from '../temporal/connection';
import { createAdminApp } from './app';

export interface AdminServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  address(): string;
}

export async function buildAdmin(config: AdminConfig, logger: Logger): Promise<AdminServer> {
  const log = logger.child({ component: 'admin' });
  const db = createDb(config.DATABASE_URL, 2);
  const client = await connectTemporalClient(config);
  const kafkaAdmin = createKafka(config, log, '-admin').admin();
  const app = createAdminApp({
    token: config.ADMIN_TOKEN,
    readinessChecks: [
      { name: 'temporal', check: async () => { await client.workflowService.getSystemInfo({}); } },
      { name: 'postgres', check: async () => { await sql`select 1`.execute(db); } },
      { name: 'kafka', check: async () => { await kafkaAdmin.connect(); await kafkaAdmin.describeCluster(); } },
    ],
  });
  let server: Server | null = null;

  function address(): string {
    const bound = server?.address();
    return bound && typeof bound === 'object' ? `http://${bound.address}:${bound.port}` : `http://${config.ADMIN_HOST}:${config.ADMIN_PORT}`;
  }

  return {
    async start() {
      await new Promise<void>((resolve, reject) => {
        server = app.listen(config.ADMIN_PORT, config.ADMIN_HOST, (error) => (error ? reject(error) : resolve()));
      });
      log.info({ url: address() }, 'admin API listening');
    },
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await kafkaAdmin.disconnect();
      await client.connection.close();
      await db.destroy();
      log.info('admin API stopped');
    },
    address,
  };
}
