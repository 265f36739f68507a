import { z } from 'zod';
import type { Channel } from '../campaigns/definition';
import { templateChannel, type TemplateId } from '../templates';
import { duration } from './mechanics';
import type { VariantSpec } from './types';

/** Variants of a campaign's steps, as people write them and as the workflows see them (docs/EXPERIMENTS.md). */

const variantName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/,
    'letters, digits, "_", "." and "-", at most 32, starting with a letter or digit',
  );

/** A step's variants as people write them: `{ name, weight, channel?, template?, delay? }`. */
function variantSchema(templates: readonly TemplateId[]) {
  return z
    .object({
      name: variantName,
      weight: z.number().positive().max(1_000_000),
      channel: z.enum(['email', 'sms']).optional(),
      template: z.enum(templates as [TemplateId, ...TemplateId[]]).optional(),
      delay: duration.optional(),
    })
    .strict();
}

/** The `variants` override of one campaign, checked against its steps (names, channels, templates, delays). */
export function variantsSchema(definition: {
  steps: ReadonlyArray<{ name: string; channels: readonly Channel[]; delay?: string }>;
  templates: readonly TemplateId[];
}) {
  const stepNames = definition.steps.map((step) => step.name) as [string, ...string[]];
  return z
    .partialRecord(z.enum(stepNames), z.array(variantSchema(definition.templates)).min(2).max(10))
    .superRefine((variants, ctx) => {
      for (const [stepName, list = []] of Object.entries(variants)) {
        const step = definition.steps.find((candidate) => candidate.name === stepName)!;
        const names = new Set<string>();
        list.forEach((variant, index) => {
          const at = (field: string) => [stepName, index, field];
          if (names.has(variant.name))
            ctx.addIssue({
              code: 'custom',
              path: at('name'),
              message: `"${variant.name}" is used twice in ${stepName}`,
            });
          names.add(variant.name);
          if (variant.channel && !step.channels.includes(variant.channel))
            ctx.addIssue({
              code: 'custom',
              path: at('channel'),
              message: `${stepName} is sent by ${step.channels.join(' or ')}, not ${variant.channel}`,
            });
          if (variant.template) {
            const channel = templateChannel(variant.template);
            if (!step.channels.includes(channel))
              ctx.addIssue({
                code: 'custom',
                path: at('template'),
                message: `${variant.template} is an ${channel} template and ${stepName} sends no ${channel}`,
              });
          }
          if (variant.delay !== undefined && !step.delay)
            ctx.addIssue({
              code: 'custom',
              path: at('delay'),
              message: `${stepName} is sent at once: it has no delay to vary`,
            });
        });
      }
    });
}

/** Turns parsed variant overrides into the workflows' shape (`delay` → `delayMs`). */
export function toVariantSpecs(
  variants: Partial<
    Record<string, Array<{ name: string; weight: number; channel?: Channel; template?: TemplateId; delay?: number }>>
  >,
): Record<string, VariantSpec[]> {
  return Object.fromEntries(
    Object.entries(variants).map(([step, list = []]) => [
      step,
      list.map(({ delay, ...variant }) => ({ ...variant, ...(delay === undefined ? {} : { delayMs: delay }) })),
    ]),
  );
}
