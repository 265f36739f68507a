import type { ExpectedMessage } from './model';
import type { Campaign, Channel } from './scenario';

/** One message a customer received, identified through the delivery ledger when it can be. */
export interface Received {
  channel: Channel;
  id: string;
  at: number;
  campaign: Campaign | null;
  step: string | null;
  contactAt: number | null;
}

export const VIOLATION_KINDS = [
  'duplicates',
  'afterExit',
  'withoutConsent',
  'unplanned',
  'capViolations',
  'missing',
] as const;
export type ViolationKind = (typeof VIOLATION_KINDS)[number];
export type Violations = Record<ViolationKind, number>;

export interface CustomerVerdict {
  violations: Violations;
  problems: string[];
  received: string[];
}

export const noViolations = (): Violations => ({
  duplicates: 0,
  afterExit: 0,
  withoutConsent: 0,
  unplanned: 0,
  capViolations: 0,
  missing: 0,
});

const keyOf = (m: { campaign: Campaign | null; step: string | null; channel: Channel }) =>
  `${m.campaign ?? '?'}/${m.step ?? '?'}/${m.channel}`;

/**
 * Compares what one customer received with the model. A duplicate is a message delivered twice
 * (same provider ID) or a second message for one (campaign, step, channel); after-exit, without
 * consent and unplanned are messages the model says must not arrive, by its reason; a cap violation
 * is two contacts on one channel closer than the frequency window; missing is a must that never came.
 */
export function judgeCustomer(
  expected: ExpectedMessage[],
  received: Received[],
  frequencyWindowMs: number,
): CustomerVerdict {
  const violations = noViolations();
  const problems: string[] = [];
  const byKey = new Map<string, Received[]>();
  const seenIds = new Set<string>();
  for (const message of received) {
    if (seenIds.has(`${message.channel}:${message.id}`)) {
      violations.duplicates += 1;
      problems.push(`duplicate: ${keyOf(message)} delivered twice with one ID`);
      continue;
    }
    seenIds.add(`${message.channel}:${message.id}`);
    const list = byKey.get(keyOf(message)) ?? [];
    list.push(message);
    byKey.set(keyOf(message), list);
  }
  for (const [key, messages] of byKey) {
    if (messages.length > 1) {
      violations.duplicates += messages.length - 1;
      problems.push(`duplicate: ${key} arrived ${messages.length} times`);
    }
    const model = expected.find((m) => keyOf(m) === key);
    if (!model) {
      violations.unplanned += messages.length;
      problems.push(`unplanned: ${key} (no ledger row says what it was)`);
    } else if (model.expectation === 'mustNot') {
      // before its exit was even published, a message the model expected later is off the plan, not after the exit
      const early = model.why === 'after exit' && messages[0]!.at < (model.exitPublishedAt ?? Infinity);
      const kind: ViolationKind = early
        ? 'unplanned'
        : model.why === 'after exit'
          ? 'afterExit'
          : model.why === 'no consent'
            ? 'withoutConsent'
            : 'unplanned';
      violations[kind] += 1;
      problems.push(
        early
          ? `unplanned: ${key} arrived before the exit was published, earlier than the model plans it ` +
              `(an earlier step was not held or retried)`
          : `${kind}: ${key} arrived, the model says must not (${model.why})`,
      );
    }
  }
  for (const model of expected) {
    if (model.expectation === 'must' && !byKey.has(keyOf(model))) {
      violations.missing += 1;
      problems.push(`missing: ${keyOf(model)} (due ${new Date(model.dueAt).toISOString().slice(11, 23)})`);
    }
  }
  for (const channel of ['email', 'sms'] as const) {
    const contacts = received
      .filter((m) => m.channel === channel)
      .map((m) => m.contactAt ?? m.at)
      .sort((a, b) => a - b);
    for (let i = 1; i < contacts.length; i += 1) {
      if (contacts[i]! - contacts[i - 1]! < frequencyWindowMs) {
        violations.capViolations += 1;
        problems.push(
          `cap: two ${channel} contacts ${contacts[i]! - contacts[i - 1]!} ms apart (window ${frequencyWindowMs} ms)`,
        );
      }
    }
  }
  const received_ = received.map((m) => `${keyOf(m)} at ${new Date(m.at).toISOString().slice(11, 23)}`);
  return { violations, problems, received: received_ };
}

export const isClean = (violations: Violations) => VIOLATION_KINDS.every((kind) => violations[kind] === 0);
