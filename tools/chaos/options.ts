import { parseArgs } from 'node:util';
import { z } from 'zod';

const optionsSchema = z.object({
  customers: z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(6, 'at least 6 (one per story)')
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
  json: z.string().min(1, 'expected a file path'),
});

export type ChaosOptions = z.infer<typeof optionsSchema>;

const USAGE =
  'usage: npm run chaos -- [--customers 1000] [--seed <0..2^32-1>] [--max-minutes 20] ' +
  '[--json test-artifacts/chaos/latest.json]';
const FLAGS: Record<keyof ChaosOptions, string> = {
  customers: '--customers',
  seed: '--seed',
  maxMinutes: '--max-minutes',
  json: '--json',
};

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

export function parseChaosOptions(argv: string[]): ChaosOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        customers: { type: 'string', default: '1000' },
        seed: { type: 'string', default: String(Math.floor(Math.random() * 2 ** 32)) },
        'max-minutes': { type: 'string', default: '20' },
        json: { type: 'string', default: 'test-artifacts/chaos/latest.json' },
      },
    }));
  } catch (error) {
    throw new OptionsError(`${(error as Error).message}\n${USAGE}`);
  }
  const parsed = optionsSchema.safeParse({
    customers: values.customers,
    seed: values.seed,
    maxMinutes: values['max-minutes'],
    json: values.json,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${FLAGS[issue.path[0] as keyof ChaosOptions] ?? String(issue.path[0])}: ${issue.message}`,
    );
    throw new OptionsError(`bad option:\n${problems.join('\n')}\n${USAGE}`);
  }
  return parsed.data;
}
