import { z } from 'zod';
import {
  customersOption,
  jsonOption,
  maxMinutesOption,
  parseToolOptions,
  randomSeed,
  seedOption,
} from '../cli-options';

export { OptionsError } from '../cli-options';

const optionsSchema = z.object({
  customers: customersOption(6, 'at least 6 (one per story)'),
  seed: seedOption,
  maxMinutes: maxMinutesOption,
  json: jsonOption,
});

export type ChaosOptions = z.infer<typeof optionsSchema>;

const USAGE =
  'usage: npm run chaos -- [--customers 1000] [--seed <0..2^32-1>] [--max-minutes 20] ' +
  '[--json test-artifacts/chaos/latest.json]';

export function parseChaosOptions(argv: string[]): ChaosOptions {
  const defaults = {
    customers: '1000',
    seed: randomSeed(),
    maxMinutes: '20',
    json: 'test-artifacts/chaos/latest.json',
  };
  return parseToolOptions(argv, optionsSchema, defaults, USAGE).options;
}
