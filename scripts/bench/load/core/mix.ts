// The load test's mix: which route each request takes (by weight), and each route's figures in a step. Pure.
import { percentile } from '../../lib/stats.js';

export interface Weighted {
  name: string;
  weight: number;
}

/** The route whose cumulative weight first exceeds `random` (0 ≤ random < 1) × the total weight. */
export function pickWeighted<T extends Weighted>(routes: readonly T[], random: number): T {
  const total = routes.reduce((sum, route) => sum + route.weight, 0);
  if (routes.length === 0 || !(total > 0)) throw new Error('the mix needs at least one route with a weight > 0');
  let point = random * total;
  for (const route of routes) {
    if (point < route.weight) return route;
    point -= route.weight;
  }
  // random was 1 or a rounding error took the point past the end: the last route with a weight.
  return [...routes].reverse().find((route) => route.weight > 0)!;
}

/** One answered (or failed) request: its route, time and whether it counts as an error. */
export interface Sample {
  route: string;
  ms: number;
  /** An answer ≥ 400, a network error or a timeout: the mix sends only requests that must succeed. */
  error: boolean;
}

export interface RouteFigures {
  route: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  errorRate: number;
}

/** Each route's figures over a step of `seconds`, in the order of `routes`; a route with no sample gets NaN times. */
export function figuresByRoute(samples: readonly Sample[], routes: readonly string[], seconds: number): RouteFigures[] {
  return routes.map((route) => {
    const mine = samples.filter((sample) => sample.route === route);
    const times = mine.map((sample) => sample.ms);
    const errors = mine.filter((sample) => sample.error).length;
    return {
      route,
      requests: mine.length,
      requestsPerSecond: round(mine.length / seconds),
      p50Ms: round(percentile(times, 50)),
      p95Ms: round(percentile(times, 95)),
      p99Ms: round(percentile(times, 99)),
      errors,
      errorRate: mine.length ? errors / mine.length : 0,
    };
  });
}

const round = (value: number) => Math.round(value * 10) / 10;
