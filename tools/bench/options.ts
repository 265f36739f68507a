import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BEFORE_ISSUE_20 } from './code-before';

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

const PHASES = ['ceiling', 'bridge', 'naive', 'distance', 'bursty', 'cost', 'e2m', 'waiting'] as const;
export type Phase = (typeof PHASES)[number];

const optionsSchema = z.object({
  smoke: z.boolean(),
  /** Bridges and workers write V8 CPU profiles next to their logs (open them in Chrome's DevTools). */
  cpuProf: z.boolean(),
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
  /** The first rung of the event → email ladder, in events per second; each next rung is 1.4 times it. */
  e2mStart: z.coerce.number().positive().max(10_000),
  e2mSteps: z.coerce.number().int().min(1).max(12),
  /** Rungs between the last within 1 s and the first beyond it (tools/bench/e2m-ladder.ts). */
  e2mRefine: z.coerce.number().int().min(0).max(6),
  /** Round trips (ms) of the distance lanes. */
  rtt: list('--rtt'),
  distanceEvents: z.coerce.number().int().min(10).max(100_000),
  distanceNaiveEvents: z.coerce.number().int().min(10).max(10_000),
  distanceConcurrency: z.coerce.number().int().min(1).max(1_000),
  burstyCustomers: z.coerce.number().int().min(1).max(100_000),
  costJourneys: z.coerce.number().int().min(1).max(10_000),
  /** Rounds of the cost phase, each version once a round, in turn first and last (tools/bench/cost-rounds.ts). */
  costRounds: z.coerce.number().int().min(1).max(10),
  /** The code to measure side by side with this one (cost, bursty, e2m): a git revision, or "none". */
  before: z.string().min(1),
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
  e2mStart: '4',
  e2mSteps: '8',
  e2mRefine: '2',
  rtt: '20,50',
  distanceEvents: '3000',
  distanceNaiveEvents: '300',
  distanceConcurrency: '64',
  burstyCustomers: '600',
  costJourneys: '100',
  costRounds: '4',
  before: BEFORE_ISSUE_20,
  waiting: '10000,50000',
};
const SMOKE = {
  ceilingEvents: '100',
  concurrency: '4,16',
  events: '300',
  naiveEvents: '60',
  e2mSeconds: '3',
  e2mStart: '5',
  e2mSteps: '1',
  e2mRefine: '0',
  rtt: '20',
  distanceEvents: '200',
  distanceNaiveEvents: '30',
  distanceConcurrency: '16',
  burstyCustomers: '30',
  costJourneys: '10',
  costRounds: '1',
  before: 'none',
  waiting: '100,200',
};

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      phases: { type: 'string', default: PHASES.join(',') },
      'ceiling-events': { type: 'string' },
      concurrency: { type: 'string' },
      events: { type: 'string' },
      rate: { type: 'string' },
      'naive-events': { type: 'string' },
      'e2m-seconds': { type: 'string' },
      'e2m-start': { type: 'string' },
      'e2m-steps': { type: 'string' },
      'e2m-refine': { type: 'string' },
      rtt: { type: 'string' },
      'distance-events': { type: 'string' },
      'distance-naive-events': { type: 'string' },
      'distance-concurrency': { type: 'string' },
      'bursty-customers': { type: 'string' },
      'cost-journeys': { type: 'string' },
      'cost-rounds': { type: 'string' },
      before: { type: 'string' },
      waiting: { type: 'string' },
      partitions: { type: 'string' },
      json: { type: 'string', default: 'test-artifacts/bench/latest.json' },
    },
  });
  const defaults = values.smoke ? SMOKE : FULL;
  const parsed = optionsSchema.safeParse({
    smoke: values.smoke,
    cpuProf: values['cpu-prof'],
    phases: values.phases,
    ceilingEvents: values['ceiling-events'] ?? defaults.ceilingEvents,
    concurrency: values.concurrency ?? defaults.concurrency,
    events: values.events ?? defaults.events,
    rate: values.rate,
    naiveEvents: values['naive-events'] ?? defaults.naiveEvents,
    e2mSeconds: values['e2m-seconds'] ?? defaults.e2mSeconds,
    e2mStart: values['e2m-start'] ?? defaults.e2mStart,
    e2mSteps: values['e2m-steps'] ?? defaults.e2mSteps,
    e2mRefine: values['e2m-refine'] ?? defaults.e2mRefine,
    rtt: values.rtt ?? defaults.rtt,
    distanceEvents: values['distance-events'] ?? defaults.distanceEvents,
    distanceNaiveEvents: values['distance-naive-events'] ?? defaults.distanceNaiveEvents,
    distanceConcurrency: values['distance-concurrency'] ?? defaults.distanceConcurrency,
    burstyCustomers: values['bursty-customers'] ?? defaults.burstyCustomers,
    costJourneys: values['cost-journeys'] ?? defaults.costJourneys,
    costRounds: values['cost-rounds'] ?? defaults.costRounds,
    before: values.before ?? defaults.before,
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
