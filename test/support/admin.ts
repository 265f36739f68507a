import { Writable } from 'node:stream';
import { buildAdmin, type AdminServer } from '../../admin/build-admin';
import { adminConfigSchema, loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';

export interface AdminResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** The real admin API (buildAdmin, listening on 127.0.0.1 on a free port), and a small client for it. */
export class TestAdmin {
  readonly token = `test-admin-token-${Math.random().toString(36).slice(2)}`;
  /** Every log line the admin API wrote, parsed. */
  readonly logLines: Array<Record<string, unknown>> = [];
  private server: AdminServer | null = null;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const lines = this.logLines;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const config = loadConfig(adminConfigSchema, {
      ...process.env,
      ADMIN_PORT: '0',
      ADMIN_TOKEN: this.token,
      LOG_LEVEL: 'info',
      ...this.env,
    });
    this.server = await buildAdmin(config, createLogger('test-admin', 'info', sink));
    await this.server.start();
  }

  get url(): string {
    return this.server!.address();
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; rawBody?: string; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<AdminResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? this.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.rawBody ?? JSON.stringify(options.body);
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await response.text();
    const parsed = response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as T) : (text as T);
    return { status: response.status, body: parsed, headers: response.headers };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
