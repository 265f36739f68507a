import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScrapeJob } from './prometheus';

const DASHBOARD = join(__dirname, '../../infra/grafana/dashboards/campaigns.json');

interface Panel {
  title: string;
  targets?: Array<{ refId: string; expr: string }>;
  panels?: Panel[];
}

/**
 * Panel queries (`title/refId`) the demo cannot give data, with why: the same metrics the demo's
 * check of docs/METRICS.md excludes. They are still run, so Prometheus must accept them.
 */
export const NOT_IN_THE_DEMO: Record<string, string> = {
  'Send failures by class/C': "delivery_misconfigured_total: the demo's providers accept our credentials",
  'Skipped sends by reason/A':
    "messages_skipped_total: the demo's journeys plan each step around consent, none is skipped",
  'Task schedule-to-start p99/B':
    'temporal_activity_schedule_to_start_latency: a send is an ordinary activity only when its first ' +
    'attempt did not settle',
};

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

/** Every query of the dashboard's panels, with Grafana's interval variables replaced by `window`. */
export function dashboardQueries(window: string): PanelQuery[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  return panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      panel: panel.title,
      refId: target.refId,
      expr: target.expr.replace(/\$__(rate_interval|interval|range)\b/g, window),
    })),
  );
}

/** The jobs of infra/prometheus/prometheus.yml, on a test's own addresses (`http://host:port/metrics` URLs). */
export function engineScrapeJobs(
  urls: { worker: string; bridge: string; admin?: string; tracking?: string },
  adminToken?: string,
) {
  const job = (name: string, url: string): ScrapeJob => ({
    job: name,
    targets: [new URL(url).host],
    metricsPath: new URL(url).pathname,
  });
  const jobs = [job('worker', urls.worker), job('bridge', urls.bridge)];
  if (urls.tracking) jobs.push(job('tracking', urls.tracking));
  if (urls.admin) jobs.push({ ...job('admin', urls.admin), ...(adminToken ? { bearerToken: adminToken } : {}) });
  return jobs;
}
