import { z } from 'zod';
import {
  customersOption,
  jsonOption,
  maxMinutesOption,
  OptionsError,
  parseToolOptions,
  randomSeed,
  seedOption,
} from '../cli-options';
import { FAULT_GROUPS, type FaultGroup, type FaultKind } from './scenario';

const ALL_KINDS = Object.values(FAULT_GROUPS).flat();

const faultList = z.string().transform((text, ctx) => {
  const kinds = new Set<FaultKind>();
  for (const name of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (name === 'none') continue;
    if (name in FAULT_GROUPS) for (const kind of FAULT_GROUPS[name as FaultGroup]) kinds.add(kind);
    else if ((ALL_KINDS as string[]).includes(name)) kinds.add(name as FaultKind);
    else
      ctx.addIssue({
        code: 'custom',
        message:
          `"${name}" is not a group (${Object.keys(FAULT_GROUPS).join(', ')}, none) ` +
          `or a fault kind (${ALL_KINDS.join(', ')})`,
      });
  }
  return [...kinds];
});

const optionsSchema = z.object({
  customers: customersOption(1, 'at least 1'),
  seed: seedOption,
  maxMinutes: maxMinutesOption,
  faults: faultList,
  only: z.string().transform((text, ctx) => {
    if (text === '') return null;
    const indexes = text.split(',').map(Number);
    if (indexes.some((n) => !Number.isInteger(n) || n < 0))
      ctx.addIssue({ code: 'custom', message: 'expected customer indexes such as 3 or 3,17' });
    return indexes;
  }),
  json: jsonOption,
});

export type FuzzOptions = z.infer<typeof optionsSchema> & {
  /** --faults as given, for the replay command. */
  faultsText: string;
};

const USAGE =
  'usage: npm run fuzz -- [--seed <0..2^32-1>] [--customers 200] [--max-minutes 10] ' +
  '[--faults providers,processes,services|none|<kind>,...] [--only <index>[,<index>...]] ' +
  '[--json test-artifacts/fuzz/latest.json]';

export function parseFuzzOptions(argv: string[]): FuzzOptions {
  const defaults = {
    customers: '200',
    seed: randomSeed(),
    maxMinutes: '10',
    faults: 'providers,processes,services',
    only: '',
    json: 'test-artifacts/fuzz/latest.json',
  };
  const { options, given } = parseToolOptions(argv, optionsSchema, defaults, USAGE);
  if (options.only?.some((index) => index >= options.customers))
    throw new OptionsError(
      `bad option:\n  --only: every index must be under --customers (${options.customers})\n${USAGE}`,
    );
  return { ...options, faultsText: given.faults ?? defaults.faults };
}

export { OptionsError };
