import { parseArgs } from 'node:util';
import { z } from 'zod';

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

/** `maxMinutes` is given as `--max-minutes`. */
const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * A tool's command line: `--kebab-case value` flags read with Node's parseArgs (unknown flags
 * refused), defaults given as text, validated by a zod schema keyed in camelCase. Every error names
 * the flag and ends with the usage. Returns the options and the flags' text as given.
 */
export function parseToolOptions<S extends z.ZodObject>(
  argv: string[],
  schema: S,
  defaults: Partial<Record<keyof z.input<S>, string>>,
  usage: string,
): { options: z.infer<S>; given: Record<string, string | undefined> } {
  const keys = Object.keys(schema.shape);
  let values: Record<string, string | undefined>;
  try {
    const defaultOf = (key: string) => (defaults as Record<string, string | undefined>)[key];
    const options = Object.fromEntries(
      keys.map((key) => {
        const fallback = defaultOf(key);
        return [
          flagOf(key).slice(2),
          { type: 'string' as const, ...(fallback === undefined ? {} : { default: fallback }) },
        ];
      }),
    );
    ({ values } = parseArgs({ args: argv, strict: true, options }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new OptionsError(`${(error as Error).message}\n${usage}`);
  }
  const given = Object.fromEntries(keys.map((key) => [key, values[flagOf(key).slice(2)]]));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${flagOf(String(issue.path[0]))}: ${issue.message}`);
    throw new OptionsError(`bad option:\n${problems.join('\n')}\n${usage}`);
  }
  return { options: parsed.data, given };
}

/** The options every load tool takes. */
export const customersOption = (min: number, why: string) =>
  z.coerce
    .number({ error: 'expected a whole number' })
    .int('expected a whole number')
    .min(min, why)
    .max(20_000, 'at most 20000');
export const seedOption = z.coerce
  .number({ error: 'expected a whole number' })
  .int('expected a whole number')
  .min(0)
  .max(2 ** 32 - 1);
export const maxMinutesOption = z.coerce
  .number({ error: 'expected a number of minutes' })
  .positive('must be more than 0')
  .max(120, 'at most 120');
export const jsonOption = z.string().min(1, 'expected a file path');
export const randomSeed = () => String(Math.floor(Math.random() * 2 ** 32));
