import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { customersOption, maxMinutesOption, OptionsError, parseToolOptions, seedOption } from '../cli-options';
import { runLift, type LiftOptions } from './run';

const USAGE = `usage: npm run lift -- [--customers 2000] [--seeds 1] [--first-seed 1] [--p1 0.12] [--p0 0.08]
                       [--holdout 0.1] [--replay yes|no] [--max-minutes 30]`;

const probability = z.coerce.number({ error: 'expected a number' }).min(0).max(1);
const schema = z.object({
  customers: customersOption(100, 'at least 100 shoppers, or no group is large enough to estimate lift'),
  seeds: z.coerce.number().int().min(1).max(50),
  firstSeed: seedOption,
  p1: probability,
  p0: probability,
  holdout: z.coerce.number().min(0.01).max(0.5),
  replay: z.enum(['yes', 'no']),
  maxMinutes: maxMinutesOption,
});

async function main(): Promise<void> {
  const { options } = parseToolOptions(
    process.argv.slice(2),
    schema,
    {
      customers: '2000',
      seeds: '1',
      firstSeed: '1',
      p1: '0.12',
      p0: '0.08',
      holdout: '0.1',
      replay: 'yes',
      maxMinutes: '30',
    },
    USAGE,
  );
  const liftOptions: LiftOptions = { ...options, replay: options.replay === 'yes' };
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const summary = await runLift(liftOptions, say);
  const dir = resolve('test-artifacts', 'lift', summary.runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  say(
    `the 95% interval covered the true lift (${((options.p1 - options.p0) * 100).toFixed(1)} points) in ` +
      `${summary.covered} of ${summary.estimated} seeds` +
      (summary.estimated < summary.seeds.length
        ? ` (${summary.seeds.length - summary.estimated} gave no interval)`
        : ''),
  );
  say(`summary: ${resolve(dir, 'summary.json')}`);
  if (summary.failures.length) {
    say(`FAILED: ${summary.failures.length} check(s) contradict the truth:\n  ${summary.failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof OptionsError ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(error instanceof OptionsError ? 2 : 1);
});
