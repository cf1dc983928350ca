// The metrics of this instance (module state shared by the hook, the endpoint and the jobs runtime) and the door
// domains register their gauges through (platformApi.metrics). Off unless METRICS_TOKEN is set: then nothing is
// measured and registered gauges are never read.
import { createMetrics, type Collector, type Metrics, type MetricsOptions } from './core/registry.js';

let metrics: Metrics | null = null;
// Registered before the platform's hook started the metrics (bundle order is not ours to choose).
const waiting: Collector[] = [];

export function startMetrics(options: MetricsOptions, collectors: Collector[]): Metrics {
  metrics = createMetrics(options);
  for (const collector of [...collectors, ...waiting.splice(0)]) metrics.addCollector(collector);
  return metrics;
}

export function runningMetrics(): Metrics | null {
  return metrics;
}

/** The jobs runtime counts each failed attempt here (a no-op while metrics are off). */
export function jobFailed(queue: string): void {
  metrics?.jobFailed(queue);
}

/**
 * For domains (through platformApi.metrics): gauges read on every scrape, e.g. open tickets by status. `collect`
 * must be cheap (one indexed query), bounded in its labels, and is given GROUNDWORK_METRICS_TIMEOUT_MS; a failure
 * leaves its gauges out of that scrape and counts in groundwork_metrics_collector_errors_total.
 */
export function registerGauges(collector: Collector): void {
  if (metrics) metrics.addCollector(collector);
  else waiting.push(collector);
}
