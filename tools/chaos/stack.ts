import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INFRA = join(__dirname, '..', '..', 'infra');

export type StackService = 'temporal' | 'kafka' | 'postgres';

/**
 * Stops or starts one service of the local stack with its own infra script: the same persistent
 * data (Temporal's SQLite file, Kafka's log directory, PostgreSQL's cluster) is used again on start.
 */
export async function stackService(service: StackService, action: 'stop' | 'start'): Promise<void> {
  await run('bash', [join(INFRA, `${service}.sh`), action], { timeout: 180_000 });
}

const SERVICES: StackService[] = ['postgres', 'temporal', 'kafka'];

/** Starts whatever a fault may have left stopped (a no-op for a service that is up). */
export async function ensureStackServices(say: (line: string) => void): Promise<void> {
  for (const service of SERVICES) {
    await stackService(service, 'start').catch((error: unknown) =>
      say(`${service} is not back: ${(error as Error).message.split('\n')[0]}`),
    );
  }
}

/** The same, synchronously, for a run that is exiting (a signal, its hard time limit). */
export function restoreStackNow(): void {
  for (const service of SERVICES) {
    try {
      execFileSync('bash', [join(INFRA, `${service}.sh`), 'start'], { stdio: 'ignore', timeout: 120_000 });
    } catch {
      process.stderr.write(`${service} may be down: run bash infra/up.sh\n`);
    }
  }
}
