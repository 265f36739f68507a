import { join } from 'node:path';
import pino from 'pino';
import { SmtpFaultProxy } from './sandbox/smtp-fault-proxy';
import { createLogger } from '../platform/logger';

/**
 * What one run of a load tool (chaos, fuzz) starts with: its ID, a log directory under
 * test-artifacts/<tool>/<runId>, a logger writing there, a `say` for the console with the time
 * since the start, and the names of its own topic, dead-letter topic, consumer group and task queue.
 */
export function startToolRun(tool: 'chaos' | 'fuzz', logLevel: string) {
  const startedAt = Date.now();
  const runId = startedAt.toString(36);
  const logDir = join(__dirname, '..', 'test-artifacts', tool, runId);
  const logger = createLogger(
    tool,
    logLevel,
    pino.destination({ dest: join(logDir, `${tool}.log`), mkdir: true, sync: false }),
  );
  const say = (line: string) =>
    process.stdout.write(
      `[${new Date().toISOString().slice(11, 19)} ` +
        `+${String(Math.round((Date.now() - startedAt) / 1000)).padStart(4)}s] ${line}\n`,
    );
  const names = {
    topic: `${tool}-${runId}`,
    dlq: `${tool}-${runId}.dlq`,
    group: `${tool}-${runId}`,
    taskQueue: `${tool}-${runId}`,
  };
  return { startedAt, runId, logDir, logger, say, names };
}

/** A started SMTP fault proxy in front of the configured SMTP server: the run's workers send through it. */
export async function startSmtpFaultProxy(smtpUrl: string): Promise<SmtpFaultProxy> {
  const upstream = new URL(smtpUrl);
  const smtp = new SmtpFaultProxy({ host: upstream.hostname, port: Number(upstream.port || 25) });
  await smtp.start();
  return smtp;
}
