import type { DeliveryStatus } from './schema';

/**
 * Which of two provider reports about one message the ledger keeps (docs/FEEDBACK.md). Callbacks
 * arrive late, twice and out of order, so the rule depends only on the reports, never on their
 * arrival:
 *
 * - the newer report (by occurredAt) wins: a soft bounce followed by a later delivery reads `delivered`;
 * - a report older than the one recorded never replaces it: a `delivered` dated before a recorded
 *   `failed` does not erase the failure;
 * - at the same instant the worse wins: delivered < failed < bounced < complained;
 * - a complaint wins over every other report, older or newer: it is the recipient's own act, after
 *   delivery, and nothing undoes it.
 */
export const STATUS_RANK: Record<DeliveryStatus, number> = { delivered: 0, failed: 1, bounced: 2, complained: 3 };

export interface StatusReport {
  status: DeliveryStatus;
  at: Date;
}

export function supersedes(incoming: StatusReport, recorded: StatusReport | null): boolean {
  if (!recorded) return true;
  if (recorded.status === 'complained') return false;
  if (incoming.status === 'complained') return true;
  const [newer, older] = [incoming.at.getTime(), recorded.at.getTime()];
  if (newer !== older) return newer > older;
  return STATUS_RANK[incoming.status] > STATUS_RANK[recorded.status];
}
