import { upsertSearchAttributes } from '@temporalio/workflow';
import { CAMPAIGN_STEPS, type CampaignStep } from '../../contract/campaigns/steps';
import { searchAttributeKeys, type CampaignType } from '../../contract/journeys';
import { templateChannel } from '../../contract/templates';
import type { VariantSpec } from '../../contract/settings/types';
import type { JourneyRun } from './run-state';
import type { SendRequest } from './send-step';

/**
 * The journey's part in its campaign's experiments (docs/EXPERIMENTS.md): admission deals it into the
 * treatment or the holdout, and a variant of each step that has variants. A held-out journey waits
 * and exits like a treated one but sends nothing; a variant changes its step's delay, channel or template.
 */

export interface Dealt {
  group?: 'treatment' | 'holdout';
  variants?: Record<string, string>;
}

/**
 * Takes what admission dealt (absent for runs admitted before experiments existed: treated, no
 * variants). Only a held-out journey or one with variants writes anything to its history.
 */
export function takeAssignment<C extends CampaignType, S>(run: JourneyRun<C, S>, dealt: Dealt): void {
  if (!dealt.group) return;
  const variants = dealt.group === 'holdout' ? {} : (dealt.variants ?? {});
  const labels =
    dealt.group === 'holdout' ? ['holdout'] : Object.entries(variants).map(([step, name]) => `${step}:${name}`);
  if (labels.length > 0 && !run.takes('holdout-and-variants')) return;
  run.state.group = dealt.group;
  run.state.variants = variants;
  if (labels.length === 0) return;
  upsertSearchAttributes([{ key: searchAttributeKeys.variant, value: labels }]);
  if (dealt.group === 'holdout')
    run.record('event', 'held out: this journey waits and exits as usual but sends nothing');
  for (const [step, name] of Object.entries(variants)) run.record('event', `variant ${name} of ${step}`);
  applyVariantDelays(run);
}

export function isHeldOut<C extends CampaignType, S>(run: JourneyRun<C, S>): boolean {
  return run.state.group === 'holdout';
}

/**
 * Sets each variant's delay on the journey's copy of its settings, where the campaign reads its
 * waits; again after continue-as-new, when the settings are loaded afresh.
 */
export function applyVariantDelays<C extends CampaignType, S>(run: JourneyRun<C, S>): void {
  const settings = run.settings as unknown as Record<string, unknown> | undefined;
  if (!settings) return;
  const steps: readonly CampaignStep[] = CAMPAIGN_STEPS[run.campaign];
  for (const step of steps) {
    const delayMs = variantOf(run, step.name)?.delayMs;
    if (step.delay && delayMs !== undefined) settings[`${step.delay}Ms`] = delayMs;
  }
}

/** A step's messages as its variant sends them: its channel first, its template for that channel. */
export function withVariant<C extends CampaignType, S>(run: JourneyRun<C, S>, requests: SendRequest[]): SendRequest[] {
  const step = requests[0]?.step;
  const variant = step === undefined ? undefined : variantOf(run, step);
  if (!variant) return requests;
  const { channel, template } = variant;
  const ordered = channel
    ? [...requests.filter((request) => request.channel === channel), ...requests.filter((r) => r.channel !== channel)]
    : requests;
  return ordered.map((request) => ({
    ...request,
    template:
      template && templateChannel(template) === request.channel
        ? { ...request.template, id: template }
        : request.template,
    summary: `${request.summary} (variant ${variant.name})`,
  }));
}

/** The journey's variant of a step, as the settings define it now (a variant since removed: none). */
function variantOf<C extends CampaignType, S>(run: JourneyRun<C, S>, step: string): VariantSpec | undefined {
  const name = run.state.variants?.[step];
  return name === undefined ? undefined : run.settings?.variants?.[step]?.find((variant) => variant.name === name);
}
