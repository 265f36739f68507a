import type { Client } from '@temporalio/client';
import type { Db } from '../../platform/db/database';
import type { DrillAdmin } from './admin-api';
import type { DrillCustomer } from './cast';
import type { Check } from './checks';
import type { DrillOptions } from './options';
import type { DrillReport } from './report';
import type { WorkerMemory } from './worker-memory';

export const CHURN = 'churn-retention';

/** Thrown when the drill's time is up; the run then cleans up and reports what it has. */
export class OutOfTime extends Error {
  override readonly name = 'OutOfTime';
}

/** What every phase of the drill works with. */
export interface DrillContext {
  options: DrillOptions;
  runId: string;
  logDir: string;
  cast: DrillCustomer[];
  db: Db;
  admin: DrillAdmin;
  client: Client;
  memory: WorkerMemory;
  report: DrillReport;
  checks: Check[];
  deadline: number;
  say: (line: string) => void;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` accepts its value; past the drill's deadline, throws OutOfTime naming `what`. */
export async function until<T>(
  context: Pick<DrillContext, 'deadline'>,
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  intervalMs: number,
): Promise<T> {
  let lastError = '';
  for (;;) {
    // A service restarting (PostgreSQL, Temporal) fails a read for a while: the next one is tried.
    const attempt = await read().then(
      (value) => ({ value }),
      (error: unknown) => {
        lastError = `; last error: ${(error as Error).message}`;
        return null;
      },
    );
    if (attempt && done(attempt.value)) return attempt.value;
    if (Date.now() > context.deadline) throw new OutOfTime(`ran out of time waiting for ${what}${lastError}`);
    await sleep(intervalMs);
  }
}
