import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { buildAdmin, type AdminServer } from '../../admin/build-admin';
import { adminConfigSchema, loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';

export interface AdminAnswer<T> {
  status: number;
  body: T;
}

/**
 * The real admin API (buildAdmin) in the drill's process, on 127.0.0.1 and a free port, on the
 * drill's database and task queue, with a token made for the run (never printed), and a client for it.
 * Its log goes to `<logDir>/admin.log`.
 */
export class DrillAdmin {
  private readonly token = randomBytes(24).toString('hex');
  private server: AdminServer | null = null;

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  async start(): Promise<void> {
    const config = loadConfig(adminConfigSchema, {
      ...process.env,
      LOG_LEVEL: 'info',
      ...this.env,
      ADMIN_HOST: '127.0.0.1',
      ADMIN_PORT: '0',
      ADMIN_TOKEN: this.token,
      // The drill starts hundreds of journeys through the API and polls it; it is the only client.
      ADMIN_RATE_LIMIT: '1000000',
    });
    const logger = createLogger(
      'drill-admin',
      config.LOG_LEVEL,
      pino.destination({ dest: join(this.logDir, 'admin.log'), mkdir: true, sync: false }),
    );
    this.server = await buildAdmin(config, logger);
    await this.server.start();
  }

  get url(): string {
    if (!this.server) throw new Error('the admin API is not started');
    return this.server.address();
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<AdminAnswer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Streams a JSONL file as the request body, read from disk as it is sent (never held in memory). */
  async upload<T>(path: string, file: string): Promise<AdminAnswer<T>> {
    const init = {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/x-ndjson' },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' };
    const response = await fetch(`${this.url}${path}`, init);
    return { status: response.status, body: (await response.json()) as T };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = null;
  }
}
