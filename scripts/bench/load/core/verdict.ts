// What the load test concludes from its figures: whether a step holds each route's budget, the knee (the highest
// concurrency that holds them all), and the regression check of the routes' speed against the baseline's. Pure.
import type { RouteFigures } from './mix.js';

export interface Budget {
  p95Ms: number;
  /** The share of requests (0..1) that may fail. */
  maxErrorRate: number;
}

export interface StepFigures {
  instances: number;
  connections: number;
  routes: RouteFigures[];
}

export interface RouteVerdict {
  route: string;
  holds: boolean;
  /** Why not, e.g. "p95 312 ms > 200 ms"; empty when it holds. */
  misses: string[];
}

/** Each budgeted route of the step against its budget; routes without a budget (the baseline) are not judged. */
export function judgeStep(
  step: StepFigures,
  budgets: Record<string, Budget>,
): { holds: boolean; routes: RouteVerdict[] } {
  const routes = Object.entries(budgets).map(([route, budget]): RouteVerdict => {
    const figures = step.routes.find((candidate) => candidate.route === route);
    const misses: string[] = [];
    if (!figures || figures.requests === 0) misses.push('no request answered');
    else {
      if (!(figures.p95Ms < budget.p95Ms)) misses.push(`p95 ${figures.p95Ms} ms ≥ ${budget.p95Ms} ms`);
      if (figures.errorRate > budget.maxErrorRate)
        misses.push(`errors ${percent(figures.errorRate)} > ${percent(budget.maxErrorRate)}`);
    }
    return { route, holds: misses.length === 0, misses };
  });
  return { holds: routes.every((route) => route.holds), routes };
}

export interface Knee {
  instances: number;
  /** The highest concurrency at which this step and every lower one held the budgets; undefined if the first missed. */
  connections: number | undefined;
  /** The first step that missed, with its misses ("route: why"); undefined if every step measured held. */
  firstMiss?: { connections: number; misses: string[] };
}

/** The knee of one instance count: steps are taken in rising concurrency and the first miss ends the climb. */
export function findKnee(steps: readonly StepFigures[], budgets: Record<string, Budget>, instances: number): Knee {
  const mine = steps.filter((step) => step.instances === instances).sort((a, b) => a.connections - b.connections);
  let connections: number | undefined;
  for (const step of mine) {
    const verdict = judgeStep(step, budgets);
    if (!verdict.holds) {
      const misses = verdict.routes.flatMap((route) => route.misses.map((miss) => `${route.route}: ${miss}`));
      return { instances, connections, firstMiss: { connections: step.connections, misses } };
    }
    connections = step.connections;
  }
  return { instances, connections };
}

/**
 * Each route's speed relative to the baseline in the same step: baseline p50 / route p50 (0.25 = a request of the
 * route takes four times the baseline's). Medians, because a step at low concurrency has few baseline samples and
 * its tail is the machine's noise. A route without a sample, or a baseline without one, is left out.
 */
export function speedRatios(step: StepFigures, baseline: string): Record<string, number> {
  const base = step.routes.find((route) => route.route === baseline);
  if (!base || !(base.p50Ms > 0)) return {};
  return Object.fromEntries(
    step.routes
      .filter((route) => route.route !== baseline && route.p50Ms > 0)
      .map((route) => [route.route, Math.round((base.p50Ms / route.p50Ms) * 1000) / 1000]),
  );
}

/** What a run is measured on: a recorded baseline is compared only with a run of the same shape. */
export interface RunShape {
  tickets: number;
  instances: number;
  connections: number;
  baseline: string;
}

export interface RecordedRatios extends RunShape {
  recorded: string;
  commit: string;
  loadAverage: number;
  ratios: Record<string, number>;
}

export interface RatioChange {
  route: string;
  recorded: number | undefined;
  current: number | undefined;
  /** current / recorded - 1 (-0.4 = 40 % slower relative to the baseline); undefined when either is missing. */
  change: number | undefined;
  failed: boolean;
}

export interface RegressionCheck {
  /** False when the shapes differ: nothing is compared (say so rather than compare unlike runs). */
  comparable: boolean;
  why?: string;
  changes: RatioChange[];
  failed: boolean;
}

/** Compares the current ratios with the recorded ones: a route fails when its ratio dropped by more than maxDrop. */
export function compareRatios(
  recorded: RecordedRatios,
  current: RunShape & { ratios: Record<string, number> },
  maxDrop = 0.3,
): RegressionCheck {
  const differences = (['tickets', 'instances', 'connections', 'baseline'] as const)
    .filter((key) => recorded[key] !== current[key])
    .map((key) => `${key} ${current[key]} here, ${recorded[key]} recorded`);
  if (differences.length) return { comparable: false, why: differences.join('; '), changes: [], failed: false };
  const routes = [...new Set([...Object.keys(recorded.ratios), ...Object.keys(current.ratios)])];
  const changes = routes.map((route): RatioChange => {
    const before = recorded.ratios[route];
    const now = current.ratios[route];
    // Rounded so that a drop of exactly maxDrop (0.35 / 0.5 - 1 = -0.30000000000000004 in floats) passes.
    const change =
      before !== undefined && now !== undefined && before > 0
        ? Math.round((now / before - 1) * 10_000) / 10_000
        : undefined;
    // A recorded route that was not measured fails (a regression check that skips a route is no check); a new route
    // has nothing to compare with and passes until it is recorded.
    const failed = before !== undefined && (now === undefined || (change !== undefined && change < -maxDrop));
    return { route, recorded: before, current: now, change, failed };
  });
  return { comparable: true, changes, failed: changes.some((change) => change.failed) };
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;
