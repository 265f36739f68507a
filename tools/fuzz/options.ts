import { parseArgs } from 'node:util';
import { z } from 'zod';
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
  customers: z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(1, 'at least 1')
    .max(20_000, 'at most 20000'),
  seed: z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(0)
    .max(2 ** 32 - 1),
  maxMinutes: z.coerce
    .number({ error: 'expected a number of minutes' })
    .positive('must be more than 0')
    .max(120, 'at most 120'),
  faults: faultList,
  only: z.string().transform((text, ctx) => {
    if (text === '') return null;
    const indexes = text.split(',').map(Number);
    if (indexes.some((n) => !Number.isInteger(n) || n < 0))
      ctx.addIssue({ code: 'custom', message: 'expected customer indexes such as 3 or 3,17' });
    return indexes;
  }),
  json: z.string().min(1, 'expected a file path'),
});

export type FuzzOptions = z.infer<typeof optionsSchema> & {
  /** --faults as given, for the replay command. */ faultsText: string;
};

const USAGE =
  'usage: npm run fuzz -- [--seed <0..2^32-1>] [--customers 200] [--max-minutes 10] ' +
  '[--faults providers,processes,services|none|<kind>,...] [--only <index>[,<index>...]] ' +
  '[--json test-artifacts/fuzz/latest.json]';
const FLAGS: Record<Exclude<keyof FuzzOptions, 'faultsText'>, string> = {
  customers: '--customers',
  seed: '--seed',
  maxMinutes: '--max-minutes',
  faults: '--faults',
  only: '--only',
  json: '--json',
};

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

export function parseFuzzOptions(argv: string[]): FuzzOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        customers: { type: 'string', default: '200' },
        seed: { type: 'string', default: String(Math.floor(Math.random() * 2 ** 32)) },
        'max-minutes': { type: 'string', default: '10' },
        faults: { type: 'string', default: 'providers,processes,services' },
        only: { type: 'string', default: '' },
        json: { type: 'string', default: 'test-artifacts/fuzz/latest.json' },
      },
    }));
  } catch (error) {
    throw new OptionsError(`${(error as Error).message}\n${USAGE}`);
  }
  const parsed = optionsSchema.safeParse({
    customers: values.customers,
    seed: values.seed,
    maxMinutes: values['max-minutes'],
    faults: values.faults,
    only: values.only,
    json: values.json,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) =>
        `  ${FLAGS[issue.path[0] as Exclude<keyof FuzzOptions, 'faultsText'>] ?? String(issue.path[0])}: ` +
        `${issue.message}`,
    );
    throw new OptionsError(`bad option:\n${problems.join('\n')}\n${USAGE}`);
  }
  if (parsed.data.only?.some((index) => index >= parsed.data.customers))
    throw new OptionsError(
      `bad option:\n  --only: every index must be under --customers (${parsed.data.customers})\n${USAGE}`,
    );
  return { ...parsed.data, faultsText: values.faults };
}
