import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type MetricsProcess = 'worker' | 'bridge' | 'admin' | 'tracking';

export interface DocumentedMetric {
  process: MetricsProcess;
  name: string;
  type: string;
  labels: string[];
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const PROCESSES: MetricsProcess[] = ['worker', 'bridge', 'admin', 'tracking'];
const METRICS_DOC = join(__dirname, '../../docs/METRICS.md');

/** The process a `##` title belongs to: the one it names in parentheses, else the one it starts with. */
function processOfTitle(title: string): MetricsProcess | null {
  const named = /\((\w+)\)/.exec(title)?.[1]?.toLowerCase() ?? title.split(/\s+/)[0]!.toLowerCase();
  return PROCESSES.find((process) => process === named) ?? null;
}

/** Every metric docs/METRICS.md documents: the rows of its tables whose first cell is a name in backticks. */
export function documentedMetrics(markdown = readFileSync(METRICS_DOC, 'utf8')): DocumentedMetric[] {
  const metrics: DocumentedMetric[] = [];
  let process: MetricsProcess | null = null;
  for (const line of markdown.split('\n')) {
    const title = /^## (.+)$/.exec(line);
    if (title) process = processOfTitle(title[1]!);
    const cells = line.startsWith('|') ? line.split('|').map((cell) => cell.trim()) : [];
    const name = /^`([a-zA-Z_:][a-zA-Z0-9_:]*)`$/.exec(cells[1] ?? '')?.[1];
    if (!name || !process || cells.length < 5) continue;
    const labels = [...(cells[3] ?? '').matchAll(/`([a-zA-Z_][a-zA-Z0-9_]*)`/g)].map((match) => match[1]!);
    metrics.push({ process, name, type: cells[2]!, labels });
  }
  return metrics;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

/** The samples of a scrape in the Prometheus text format; a line it cannot read throws. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[2] ?? '';
    LABEL_PAIR.lastIndex = 0;
    let read = 0;
    for (let pair = LABEL_PAIR.exec(body); pair; pair = LABEL_PAIR.exec(body)) {
      labels[pair[1]!] = pair[2]!;
      read = LABEL_PAIR.lastIndex;
    }
    if (read !== body.length) throw new Error(`unreadable labels in: ${line}`);
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

const labelSet = (names: string[]) => [...names].sort().join(',');

/**
 * The worker's metrics of ordinary activities: a send is one only when its first attempt, a local
 * activity, did not settle (a provider slow or down), which a scenario may or may not meet.
 */
export const ONLY_WHEN_A_SEND_IS_RETRIED: Record<string, string> = Object.fromEntries(
  [
    'temporal_activity_schedule_to_start_latency',
    'temporal_activity_execution_latency',
    'temporal_activity_succeed_endtoend_latency',
  ].map((name) => [name, 'a send is an ordinary activity only when its first attempt did not settle']),
);

/**
 * What a scrape lacks of the documentation for `process`: each documented metric must have a sample
 * carrying exactly its documented label names (a histogram: its `_bucket` with `le` too, `_sum` and
 * `_count`). `notYet` names documented metrics that the scenario behind the scrape cannot have
 * produced (with why): each must be documented, and absent (once served, it is checked instead).
 * `sometimes` names documented metrics the scenario may or may not produce (with why): checked
 * when served, not required. An empty answer means the two agree.
 */
export function missingFromScrape(
  process: MetricsProcess,
  scrape: string,
  notYet: Record<string, string> = {},
  markdown?: string,
  sometimes: Record<string, string> = {},
): string[] {
  const documented = documentedMetrics(markdown).filter((metric) => metric.process === process);
  const samples = parseExposition(scrape);
  const problems = [...Object.keys(notYet), ...Object.keys(sometimes)]
    .filter((name) => !documented.some((metric) => metric.name === name))
    .map((name) => `${name}: excused as not yet produced, but docs/METRICS.md does not document it for ${process}`);
  if (documented.length === 0) problems.push(`docs/METRICS.md documents no metric for ${process}`);
  for (const metric of documented) {
    const series =
      metric.type === 'histogram'
        ? [
            { name: `${metric.name}_bucket`, labels: [...metric.labels, 'le'] },
            { name: `${metric.name}_sum`, labels: metric.labels },
            { name: `${metric.name}_count`, labels: metric.labels },
          ]
        : [{ name: metric.name, labels: metric.labels }];
    if (metric.name in notYet) {
      if (samples.some((sample) => series.some((expected) => expected.name === sample.name)))
        problems.push(
          `${metric.name}: excused as not yet produced (${notYet[metric.name]}), but it is served: check it`,
        );
      continue;
    }
    if (metric.name in sometimes && !samples.some((sample) => series.some((one) => one.name === sample.name))) continue;
    for (const expected of series) {
      const served = samples.filter((sample) => sample.name === expected.name);
      const wanted = labelSet(expected.labels);
      if (served.length === 0) problems.push(`${expected.name}: not served`);
      else if (!served.some((sample) => labelSet(Object.keys(sample.labels)) === wanted))
        problems.push(
          `${expected.name}: no sample labelled {${wanted}}; served: ` +
            [...new Set(served.map((sample) => `{${labelSet(Object.keys(sample.labels))}}`))].join(' '),
        );
    }
  }
  return problems;
}
