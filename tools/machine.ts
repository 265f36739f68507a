import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** The machine a run's report was measured on. */
export interface Machine {
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

export function machine(): Machine {
  return { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), os: osName(), node: process.version };
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}
