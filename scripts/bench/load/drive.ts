// A closed-loop mix: `connections` workers, each sending one request at a time (a route picked by weight) and the
// next when its answer is read, for `seconds`. Every response is timed here and kept with its route: autocannon
// cycles a fixed list of requests and reports one histogram for them all, so it cannot say which route was slow.
import { pickWeighted, type Sample, type Weighted } from './core/mix.js';

export interface MixRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface MixRoute extends Weighted {
  /** The next request of this route (a different ticket, a different caller). */
  next(): MixRequest;
}

export interface MixRun {
  samples: Sample[];
  /** From the start to the last answer: a worker finishes its request in flight after the deadline. */
  elapsedSeconds: number;
  /** "route: 403" or "route: TimeoutError" → count, for the failures only. */
  failures: Record<string, number>;
}

export async function driveMix(options: {
  baseUrl: string;
  routes: MixRoute[];
  connections: number;
  seconds: number;
  /** One request slower than this counts as an error (default 30 s): a stuck request must not stall the step. */
  timeoutMs?: number;
  random?: () => number;
}): Promise<MixRun> {
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const samples: Sample[] = [];
  const failures: Record<string, number> = {};
  const fail = (key: string) => (failures[key] = (failures[key] ?? 0) + 1);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;

  const worker = async () => {
    while (performance.now() < deadline) {
      const route = pickWeighted(options.routes, random());
      const request = route.next();
      const sent = performance.now();
      let error = false;
      try {
        const response = await fetch(`${options.baseUrl}${request.path}`, {
          method: request.method,
          headers: {
            ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...request.headers,
          },
          body: request.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The whole body, as a client waits for it (the export streams).
        await response.arrayBuffer();
        if (response.status >= 400) {
          error = true;
          fail(`${route.name}: ${response.status}`);
        }
      } catch (caught) {
        error = true;
        fail(`${route.name}: ${(caught as Error).name}`);
      }
      samples.push({ route: route.name, ms: performance.now() - sent, error });
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  return { samples, failures, elapsedSeconds: (performance.now() - started) / 1000 };
}

/** Sends each route's next request once, in turn: a route the mix cannot serve (a 4xx) stops the run before it is timed. */
export async function checkEachRoute(baseUrl: string, routes: readonly MixRoute[]): Promise<void> {
  for (const route of routes.filter((candidate) => candidate.weight > 0)) {
    const request = route.next();
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: { ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: request.body,
    });
    const text = await response.text();
    if (response.status >= 400)
      throw new Error(
        `${route.name}: ${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 300)}`,
      );
  }
}
