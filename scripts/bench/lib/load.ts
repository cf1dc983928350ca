// One load run with autocannon, timing every response ourselves: autocannon reports p97.5 and p99 but not p95.
import autocannon from 'autocannon';
import { percentile } from './stats.js';

export interface LoadResult {
  label: string;
  connections: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** Requests answered in the run (requestsPerSecond is rounded; ratios of small rates use this). */
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** e.g. { "200": 9120, "503": 4 }: which non-2xx answers came back, when any did. */
  statusCodes: Record<string, number>;
}

export async function runLoad(options: {
  label: string;
  url: string;
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /** Builds each request (e.g. a PATCH whose path and body change per request); GET of `url` when absent. */
  nextRequest?: () => { method: 'GET' | 'POST' | 'PATCH'; path: string; body?: string };
  method?: 'GET' | 'POST' | 'PATCH';
  body?: string;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  // With a callback autocannon returns the running instance (an event emitter) instead of a promise.
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.durationSeconds,
        headers: options.headers,
        ...(options.nextRequest
          ? { requests: [{ setupRequest: (request: object) => ({ ...request, ...options.nextRequest!() }) }] }
          : {}),
        // Only when given: autocannon spreads its options over its defaults, so `method: undefined` replaces GET
        // and every request fails with "undefined HTTP method is not supported".
        ...(options.method ? { method: options.method } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  });
  return {
    label: options.label,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    requestsPerSecond: Math.round(result.requests.total / options.durationSeconds),
    requests: result.requests.total,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]),
    ),
  };
}

/**
 * `count` GETs of `url` one after the other, each timed, as a LoadResult: for a request slower than a load run's
 * window, which autocannon drops unfinished when the window ends (the run then has no sample at all).
 */
export async function runSequential(options: {
  label: string;
  url: string;
  count: number;
  durationSeconds: number;
  headers?: Record<string, string>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  for (let index = 0; index < options.count; index++) {
    const started = performance.now();
    const response = await fetch(options.url, { headers: options.headers });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1;
  }
  const answered2xx = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    label: options.label,
    connections: 1,
    durationSeconds: options.durationSeconds,
    requestsPerSecond: 0,
    requests: options.count,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    non2xx: options.count - answered2xx,
    errors: 0,
    statusCodes: answered2xx === options.count ? {} : statusCodes,
  };
}

const round = (value: number) => Math.round(value * 10) / 10;
