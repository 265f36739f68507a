import { z } from 'zod';
import { customersOption, jsonOption, maxMinutesOption, OptionsError, parseToolOptions } from '../cli-options';

export { OptionsError } from '../cli-options';

const optionsSchema = z.object({
  customers: customersOption(20, 'at least 20 (so that every kind of customer is in the audience)'),
  rate: z.coerce
    .number({ error: 'expected entries per second' })
    .positive('must be more than 0')
    .max(1_000, 'at most 1000 (the admin API’s limit)'),
  maxMinutes: maxMinutesOption,
  json: jsonOption,
});

export type DrillOptions = z.infer<typeof optionsSchema> & {
  /** Restart the Temporal dev server in the middle of the launch (`--no-temporal-restart` skips it). */
  temporalRestart: boolean;
};

const NO_TEMPORAL_RESTART = '--no-temporal-restart';
const USAGE =
  'usage: npm run drill -- [--customers 10000] [--rate 200] [--max-minutes 30] ' +
  `[--json test-artifacts/drill/latest.json] [${NO_TEMPORAL_RESTART}]`;

export function parseDrillOptions(argv: string[]): DrillOptions {
  const rest = argv.filter((arg) => arg !== NO_TEMPORAL_RESTART);
  if (rest.some((arg) => arg.startsWith(`${NO_TEMPORAL_RESTART}=`)))
    throw new OptionsError(`${NO_TEMPORAL_RESTART} takes no value\n${USAGE}`);
  const defaults = { customers: '10000', rate: '200', maxMinutes: '30', json: 'test-artifacts/drill/latest.json' };
  const { options } = parseToolOptions(rest, optionsSchema, defaults, USAGE);
  return { ...options, temporalRestart: rest.length === argv.length };
}
