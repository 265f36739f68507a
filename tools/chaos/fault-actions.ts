import type { SmtpFaultMode, SmtpFaultProxy } from '../sandbox/smtp-fault-proxy';
import type { TwilioFaultMode, TwilioSandbox } from '../sandbox/twilio-sandbox';
import { stackService, type StackService } from './stack';
import type { Supervisor } from './supervisor';

/** Every fault the chaos run and the fuzzer can inject. */
export type FaultKind =
  | 'smtp refuse'
  | 'smtp black hole'
  | 'smtp slow'
  | 'smtp auth failure'
  | 'smtp 4xx'
  | 'smtp 5xx incident'
  | 'twilio refuse'
  | 'twilio black hole'
  | 'twilio slow'
  | 'twilio auth failure'
  | 'twilio 5xx'
  | 'kill -9 worker'
  | 'kill -9 bridge'
  | 'restart Temporal'
  | 'restart Kafka'
  | 'restart PostgreSQL';

const SMTP_MODE: Partial<Record<FaultKind, SmtpFaultMode>> = {
  'smtp refuse': 'refuse',
  'smtp black hole': 'black-hole',
  'smtp slow': 'slow',
  'smtp auth failure': 'auth-failure',
  'smtp 4xx': 'temp-failure',
  'smtp 5xx incident': 'incident-5xx',
};
const TWILIO_MODE: Partial<Record<FaultKind, TwilioFaultMode>> = {
  'twilio refuse': 'refuse',
  'twilio black hole': 'black-hole',
  'twilio slow': 'slow',
  'twilio auth failure': 'auth-failure',
  'twilio 5xx': 'server-error',
};
const SERVICE: Partial<Record<FaultKind, StackService>> = {
  'restart Temporal': 'temporal',
  'restart Kafka': 'kafka',
  'restart PostgreSQL': 'postgres',
};

/**
 * Breaks one thing and repairs it: a provider mode on the SMTP proxy or the Twilio stand-in, a
 * worker or bridge killed with -9 (restarted on `repair`), or a service of the local stack stopped
 * with its infra script (started again on `repair`).
 */
export class FaultActions {
  constructor(
    private readonly supervisor: Supervisor,
    private readonly smtp: SmtpFaultProxy | null,
    private readonly sms: TwilioSandbox | null,
  ) {}

  supports(kind: FaultKind): boolean {
    if (SMTP_MODE[kind]) return this.smtp !== null;
    if (TWILIO_MODE[kind]) return this.sms !== null;
    return true;
  }

  /** Breaks it; `index` picks which of the two workers or bridges. Returns a description for the log. */
  async inject(kind: FaultKind, index: number): Promise<string> {
    const smtpMode = SMTP_MODE[kind];
    const twilioMode = TWILIO_MODE[kind];
    const service = SERVICE[kind];
    if (smtpMode) await this.smtp!.setMode(smtpMode);
    else if (twilioMode) await this.sms!.setFaultMode(twilioMode);
    else if (service) await stackService(service, 'stop');
    else {
      await this.supervisor.kill(kind === 'kill -9 worker' ? 'worker' : 'bridge', index);
      return `${kind} ${index + 1}`;
    }
    return kind;
  }

  async repair(kind: FaultKind, index: number): Promise<void> {
    const service = SERVICE[kind];
    if (SMTP_MODE[kind]) await this.smtp!.setMode('pass');
    else if (TWILIO_MODE[kind]) await this.sms!.setFaultMode('pass');
    else if (service) {
      await stackService(service, 'start');
      await this.supervisor.keepRunning();
    } else await this.supervisor.restart(kind === 'kill -9 worker' ? 'worker' : 'bridge', index);
  }
}
