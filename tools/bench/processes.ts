import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const CLOCK_TICKS_PER_SECOND = 100;

export interface Usage {
  rssMb: number;
  cpuSeconds: number;
}

/** Resident memory (MB) and CPU time used so far (seconds) of a process, from /proc. */
export function usageOf(pid: number): Usage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
}

/** The stack's own processes (started by infra/), by the pid files infra/ writes. */
export function stackPid(name: 'temporal' | 'kafka' | 'mailpit'): number | null {
  try {
    const home = process.env.CAMPAIGNS_HOME ?? join(homedir(), '.cache', 'triggered-campaigns');
    return Number(readFileSync(join(home, 'run', `${name}.pid`), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}
