// What the ops files (alert rules, the Grafana dashboard) may name: the series an endpoint exports, and the metric
// names a PromQL expression reads. Their tests check that every expression names exported series only, so a renamed
// metric cannot leave a silent alert behind. Pure.
import { createMetrics, type GaugeSpec } from './registry.js';
import { JOBS_GAUGES, NOTIFICATION_GAUGES, OUTBOX_GAUGES, POOL_GAUGES, READINESS_GAUGES } from './sources.js';

/** The platform's scrape-time gauges (a domain adds its own). */
export const PLATFORM_GAUGES: GaugeSpec[] = [
  ...READINESS_GAUGES,
  ...JOBS_GAUGES,
  ...OUTBOX_GAUGES,
  ...NOTIFICATION_GAUGES,
  ...POOL_GAUGES,
];

/** Series Prometheus itself adds to every scrape target. */
export const PROMETHEUS_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/**
 * Every series name an endpoint with these gauges exports (histograms as _bucket, _sum and _count), prom-client's
 * default process and Node.js metrics included.
 */
export async function exportedSeriesNames(gauges: GaugeSpec[]): Promise<Set<string>> {
  const metrics = createMetrics({ timeoutMs: 1000, defaultMetrics: true });
  metrics.addCollector({ name: 'all', gauges, collect: () => [] });
  const names = new Set<string>(PROMETHEUS_SERIES);
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    else names.add(metric.name);
  }
  return names;
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'inf', 'nan']);

/** The metric names a PromQL expression reads (functions, labels, ranges, strings and keywords left out). */
export function metricNamesInExpr(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\boffset\s+\S+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names];
}
