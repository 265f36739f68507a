import type { FaultActions, FaultKind as ProviderOrServiceFault } from './fault-actions';
import { between, shuffled } from './rng';
import { stackService } from './stack';
import type { Supervisor } from './supervisor';

export type FaultKind =
  | 'kill -9 worker'
  | 'kill -9 bridge'
  | 'restart Temporal'
  | 'restart Kafka'
  | 'provider black hole'
  | 'provider auth failure'
  | 'restart PostgreSQL';
export const FAULT_KINDS: FaultKind[] = [
  'kill -9 worker',
  'kill -9 bridge',
  'restart Temporal',
  'restart Kafka',
  'provider black hole',
  'provider auth failure',
  'restart PostgreSQL',
];
/** A provider's credentials incident lasts this long. */
const AUTH_FAILURE_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface FaultPlan {
  /** Pause before each fault, ms. */
  gapMs: [number, number];
  /** How long a killed process or a stopped service stays down, ms. */
  downMs: [number, number];
}

/**
 * Injects faults one after another, at random gaps drawn from a seeded generator, until stopped.
 * The first round covers every kind in a random order; after that process kills are likelier than
 * restarts of the stack and provider incidents. Each fault ends with what it broke back up.
 */
export class FaultInjector {
  readonly injected: Record<FaultKind, number> = {
    'kill -9 worker': 0,
    'kill -9 bridge': 0,
    'restart Temporal': 0,
    'restart Kafka': 0,
    'provider black hole': 0,
    'provider auth failure': 0,
    'restart PostgreSQL': 0,
  };
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: () => void = () => undefined;

  constructor(
    private readonly supervisor: Supervisor,
    private readonly random: () => number,
    private readonly plan: FaultPlan,
    private readonly say: (line: string) => void,
    private readonly actions: FaultActions,
  ) {}

  get everyKindInjected(): boolean {
    return FAULT_KINDS.every((kind) => this.injected[kind] > 0);
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops; a fault in progress is first repaired. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    const firstRound = shuffled(this.random, FAULT_KINDS);
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, between(this.random, ...this.plan.gapMs));
      });
      if (this.stopped) return;
      const kind = firstRound.shift() ?? this.pick();
      try {
        await this.inject(kind);
      } catch (error) {
        this.say(`fault "${kind}" could not be repaired yet: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }

  private pick(): FaultKind {
    const roll = this.random();
    return roll < 0.3
      ? 'kill -9 worker'
      : roll < 0.6
        ? 'kill -9 bridge'
        : roll < 0.7
          ? 'restart Temporal'
          : roll < 0.8
            ? 'restart Kafka'
            : roll < 0.87
              ? 'provider black hole'
              : roll < 0.93
                ? 'provider auth failure'
                : 'restart PostgreSQL';
  }

  private async inject(kind: FaultKind): Promise<void> {
    const startedAt = Date.now();
    const downMs = between(this.random, ...this.plan.downMs);
    this.injected[kind] += 1;
    if (kind === 'provider black hole' || kind === 'provider auth failure') {
      // the SMTP server (through the fault proxy) or the Twilio stand-in, chosen at random
      const provider = this.random() < 0.5 ? 'smtp' : 'twilio';
      const fault =
        `${provider} ${kind === 'provider black hole' ? 'black hole' : 'auth failure'}` as ProviderOrServiceFault;
      const heldMs = kind === 'provider auth failure' ? AUTH_FAILURE_MS : downMs + 3_000;
      await this.actions.inject(fault, 0);
      this.say(`FAULT ${fault} for ${(heldMs / 1000).toFixed(1)} s`);
      await sleep(heldMs);
      await this.actions.repair(fault, 0);
    } else if (kind === 'restart PostgreSQL') {
      this.say(
        `FAULT ${kind}: stopping it (infra/postgres.sh stop), starting it again in ${(downMs / 1000).toFixed(1)} s`,
      );
      await this.actions.inject('restart PostgreSQL', 0);
      await sleep(downMs);
      await this.actions.repair('restart PostgreSQL', 0);
    } else if (kind === 'kill -9 worker' || kind === 'kill -9 bridge') {
      const role = kind === 'kill -9 worker' ? 'worker' : 'bridge';
      const index = between(this.random, 0, 1);
      await this.supervisor.kill(role, index);
      this.say(`FAULT ${kind} ${index + 1}; restarting it in ${(downMs / 1000).toFixed(1)} s`);
      await sleep(downMs);
      await this.supervisor.restart(role, index);
    } else {
      const service = kind === 'restart Temporal' ? 'temporal' : 'kafka';
      this.say(
        `FAULT ${kind}: stopping it (infra/${service}.sh stop), starting it again in ${(downMs / 1000).toFixed(1)} s`,
      );
      await stackService(service, 'stop');
      await sleep(downMs);
      await stackService(service, 'start');
      await this.supervisor.keepRunning();
    }
    this.say(`      ${kind}: repaired after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  }
}
