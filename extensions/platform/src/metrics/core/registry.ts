// The metrics one instance exports: a prom-client registry of its own (never prom-client's global one, which
// Directus's METRICS_ENABLED fills), the HTTP histogram fed per request, and gauges filled at scrape time by
// collectors (ports: SQL, the knex pool, a domain's counts). A scrape runs every collector at once, each within
// the timeout; one that fails or is late clears its gauges (no stale figures) and counts in
// groundwork_metrics_collector_errors_total, and the scrape answers with the rest. Pure: no Directus, no I/O.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface GaugeSpec {
  /** groundwork_…, lower case. */
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface Sample {
  name: string;
  labels?: Record<string, string | number>;
  value: number;
}

export interface Collector {
  /** Names the collector in groundwork_metrics_collector_errors_total. */
  name: string;
  gauges: readonly GaugeSpec[];
  collect(): Promise<Sample[]> | Sample[];
}

export const METRIC_NAME = /^groundwork_[a-z][a-z0-9_]*$/;
const LABEL_NAME = /^[a-z_][a-z0-9_]*$/;
const COLLECTOR_NAME = /^[a-z][a-z0-9_.-]*$/;

export const HTTP_DURATION = 'groundwork_http_request_duration_seconds';
export const COLLECTOR_ERRORS = 'groundwork_metrics_collector_errors_total';
export const COLLECTOR_DURATION = 'groundwork_metrics_collector_duration_seconds';
export const JOB_FAILURES = 'groundwork_job_failures_total';

/** Latency buckets (seconds) around the 200 ms budget of the seed's p95. */
export const HTTP_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];

export class CollectorTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'CollectorTimeoutError';
  }
}

/** `work`, or a CollectorTimeoutError after `ms` (the work is left to finish; its result is dropped). */
export async function withTimeout<T>(work: () => Promise<T> | T, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CollectorTimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface MetricsOptions {
  /** How long each collector may take per scrape. */
  timeoutMs: number;
  /** prom-client's process and Node.js metrics (off in unit tests that compare whole outputs). */
  defaultMetrics?: boolean;
  onCollectorError?: (collector: string, error: unknown) => void;
}

export interface RequestObservation {
  method: string;
  route: string;
  statusClass: string;
  seconds: number;
}

export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const http = new Histogram({
    name: HTTP_DURATION,
    help: 'HTTP requests by route template, method and status class: rate (_count), latency (buckets), errors (5xx).',
    labelNames: ['method', 'route', 'status_class'],
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });
  const collectorErrors = new Counter({
    name: COLLECTOR_ERRORS,
    help: 'Scrape-time collectors that failed or timed out (their gauges are left out of that scrape).',
    labelNames: ['collector'],
    registers: [registry],
  });
  const collectorDuration = new Gauge({
    name: COLLECTOR_DURATION,
    help: 'How long each collector took on the last scrape.',
    labelNames: ['collector'],
    registers: [registry],
  });
  const jobFailures = new Counter({
    name: JOB_FAILURES,
    help: 'Job attempts that failed on this instance, by queue (each retry counts).',
    labelNames: ['queue'],
    registers: [registry],
  });

  const collectors = new Map<string, { collector: Collector; gauges: Map<string, Gauge> }>();

  function addCollector(collector: Collector): void {
    if (!COLLECTOR_NAME.test(collector.name)) throw new Error(`metrics: bad collector name "${collector.name}"`);
    if (collectors.has(collector.name)) throw new Error(`metrics: collector "${collector.name}" is already registered`);
    const gauges = new Map<string, Gauge>();
    for (const spec of collector.gauges) {
      if (!METRIC_NAME.test(spec.name)) throw new Error(`metrics: "${spec.name}" must match ${METRIC_NAME}`);
      if (registry.getSingleMetric(spec.name) || gauges.has(spec.name))
        throw new Error(`metrics: "${spec.name}" is already registered`);
      for (const label of spec.labelNames ?? [])
        if (!LABEL_NAME.test(label)) throw new Error(`metrics: bad label "${label}" on ${spec.name}`);
      gauges.set(
        spec.name,
        new Gauge({ name: spec.name, help: spec.help, labelNames: [...(spec.labelNames ?? [])], registers: [] }),
      );
    }
    for (const gauge of gauges.values()) registry.registerMetric(gauge);
    collectorErrors.inc({ collector: collector.name }, 0);
    collectors.set(collector.name, { collector, gauges });
  }

  async function runOne({ collector, gauges }: { collector: Collector; gauges: Map<string, Gauge> }) {
    const started = performance.now();
    try {
      const samples = await withTimeout(() => collector.collect(), options.timeoutMs);
      for (const gauge of gauges.values()) gauge.reset();
      for (const sample of samples) {
        const gauge = gauges.get(sample.name);
        if (!gauge) throw new Error(`sample of undeclared gauge ${sample.name}`);
        if (!Number.isFinite(sample.value)) continue;
        gauge.set(sample.labels ?? {}, sample.value);
      }
    } catch (error) {
      for (const gauge of gauges.values()) gauge.reset();
      collectorErrors.inc({ collector: collector.name });
      options.onCollectorError?.(collector.name, error);
    } finally {
      collectorDuration.set({ collector: collector.name }, (performance.now() - started) / 1000);
    }
  }

  // Scrapes that overlap share one collection: two scrapers never double the database's work.
  let inFlight: Promise<void> | null = null;
  function collectAll(): Promise<void> {
    inFlight ??= Promise.all([...collectors.values()].map(runOne))
      .then(() => undefined)
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  return {
    registry,
    addCollector,
    observeRequest({ method, route, statusClass, seconds }: RequestObservation): void {
      http.observe({ method, route, status_class: statusClass }, seconds);
    },
    jobFailed(queue: string): void {
      jobFailures.inc({ queue });
    },
    /** Runs the collectors, then renders the Prometheus text format. */
    async scrape(): Promise<{ contentType: string; body: string }> {
      await collectAll();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
