import { parseArgs } from 'node:util';
import { z } from 'zod';

const list = (what: string) =>
  z.string().transform((text, ctx) => {
    const values = text.split(',').map((part) => Number(part.trim()));
    if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < 1)) {
      ctx.addIssue({
        code: 'custom',
        message: `${what}: expected a comma-separated list of positive integers, got "${text}"`,
      });
      return z.NEVER;
    }
    return values;
  });

const PHASES = ['ceiling', 'bridge', 'naive', 'e2m', 'waiting'] as const;
export type Phase = (typeof PHASES)[number];

const optionsSchema = z.object({
  smoke: z.boolean(),
  phases: z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(PHASES)).min(1)),
  ceilingEvents: z.coerce.number().int().min(10).max(100_000),
  concurrency: list('--concurrency'),
  events: z.coerce.number().int().min(10).max(200_000),
  rate: z.coerce.number().positive().max(100_000).optional(),
  naiveEvents: z.coerce.number().int().min(10).max(50_000),
  e2mSeconds: z.coerce.number().int().min(2).max(300),
  waiting: list('--waiting'),
  partitions: z.coerce.number().int().min(1).max(256).optional(),
  json: z.string().min(1),
});

export type BenchOptions = z.infer<typeof optionsSchema>;

const FULL = {
  ceilingEvents: '3000',
  concurrency: '8,16,32,64,128',
  events: '10000',
  naiveEvents: '1000',
  e2mSeconds: '20',
  waiting: '10000,50000',
};
const SMOKE = {
  ceilingEvents: '100',
  concurrency: '4,16',
  events: '300',
  naiveEvents: '60',
  e2mSeconds: '3',
  waiting: '100,200',
};

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      phases: { type: 'string', default: PHASES.join(',') },
      'ceiling-events': { type: 'string' },
      concurrency: { type: 'string' },
      events: { type: 'string' },
      rate: { type: 'string' },
      'naive-events': { type: 'string' },
      'e2m-seconds': { type: 'string' },
      waiting: { type: 'string' },
      partitions: { type: 'string' },
      json: { type: 'string', default: 'test-artifacts/bench/latest.json' },
    },
  });
  const defaults = values.smoke ? SMOKE : FULL;
  const parsed = optionsSchema.safeParse({
    smoke: values.smoke,
    phases: values.phases,
    ceilingEvents: values['ceiling-events'] ?? defaults.ceilingEvents,
    concurrency: values.concurrency ?? defaults.concurrency,
    events: values.events ?? defaults.events,
    rate: values.rate,
    naiveEvents: values['naive-events'] ?? defaults.naiveEvents,
    e2mSeconds: values['e2m-seconds'] ?? defaults.e2mSeconds,
    waiting: values.waiting ?? defaults.waiting,
    partitions: values.partitions,
    json: values.json,
  });
  if (!parsed.success) {
    throw new Error(
      `bad option: ${parsed.error.issues
        .map((issue) => `--${issue.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}
