import { createHash } from 'node:crypto';
import type { VariantSpec } from '../../contract/settings/types';

/**
 * Deals customers into a campaign's holdout and its steps' variants (docs/EXPERIMENTS.md): a salted
 * hash of the campaign and the customer, so the same customer is dealt the same way in every
 * journey, after a replay of the topic, and across continue-as-new, until the salt changes.
 */

export type TreatmentGroup = 'treatment' | 'holdout';

export interface Assignment {
  group: TreatmentGroup;
  /** The variant dealt for each step that has variants (none for a held-out journey). */
  variants: Record<string, string>;
}

export interface ExperimentPlan {
  holdout: number;
  assignmentSalt: string;
  variants: Record<string, Array<Pick<VariantSpec, 'name' | 'weight'>>>;
}

/** A uniform number in [0, 1) from the hash of its parts (52 bits of SHA-256). */
export function uniformHash(...parts: string[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48 + (digest.readUInt8(6) >>> 4) / 2 ** 52;
}

export function assign(campaign: string, customerId: string, plan: ExperimentPlan): Assignment {
  const heldOut = uniformHash(plan.assignmentSalt, campaign, customerId, 'holdout') < plan.holdout;
  if (heldOut) return { group: 'holdout', variants: {} };
  const variants = Object.fromEntries(
    Object.entries(plan.variants)
      .filter(([, list]) => list.length > 0)
      .map(([step, list]) => [step, pickByWeight(list, uniformHash(plan.assignmentSalt, campaign, customerId, step))]),
  );
  return { group: 'treatment', variants };
}

function pickByWeight(list: ReadonlyArray<Pick<VariantSpec, 'name' | 'weight'>>, u: number): string {
  const total = list.reduce((sum, variant) => sum + variant.weight, 0);
  let threshold = u * total;
  for (const variant of list) {
    threshold -= variant.weight;
    if (threshold < 0) return variant.name;
  }
  return list[list.length - 1]!.name;
}
