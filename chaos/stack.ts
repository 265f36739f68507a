import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INFRA = join(__dirname, '..', 'infra');

export type StackService = 'temporal' | 'kafka';

/**
 * Stops or starts one service of the local stack with its own infra script: the same persistent
 * data (Temporal's SQLite file, Kafka's log directory) is used again on start.
 */
export async function stackService(service: StackService, action: 'stop' | 'start'): Promise<void> {
  await run('bash', [join(INFRA, `${service}.sh`), action], { timeout: 180_000 });
}
