import { describe, expect, it } from '@jest/globals';
import type { RouteFigures } from './mix.js';
import {
  compareRatios,
  findKnee,
  judgeStep,
  speedRatios,
  type Budget,
  type RecordedRatios,
  type StepFigures,
} from './verdict.js';

const figures = (route: string, p50Ms: number, p95Ms: number, errorRate = 0, requests = 100): RouteFigures => ({
  route,
  requests,
  requestsPerSecond: requests / 10,
  p50Ms,
  p95Ms,
  p99Ms: p95Ms * 1.5,
  errors: Math.round(errorRate * requests),
  errorRate,
});

const BUDGETS: Record<string, Budget> = {
  list: { p95Ms: 200, maxErrorRate: 0 },
  export: { p95Ms: 500, maxErrorRate: 0.01 },
};

const step = (instances: number, connections: number, listP95: number, exportP95 = 100): StepFigures => ({
  instances,
  connections,
  routes: [figures('list', listP95 / 3, listP95), figures('export', exportP95 / 3, exportP95), figures('ping', 2, 9)],
});

describe('judgeStep', () => {
  it('holds when every budgeted route is under its p95 and error budget; the baseline is not judged', () => {
    const verdict = judgeStep(step(1, 4, 199, 499), BUDGETS);
    expect(verdict.holds).toBe(true);
    expect(verdict.routes.map((route) => route.route)).toEqual(['list', 'export']);
  });

  it('misses at exactly the budget (p95 must be under it) and on too many errors', () => {
    const failing: StepFigures = {
      instances: 1,
      connections: 8,
      routes: [figures('list', 50, 200), figures('export', 50, 100, 0.02)],
    };
    const verdict = judgeStep(failing, BUDGETS);
    expect(verdict.holds).toBe(false);
    expect(verdict.routes).toEqual([
      { route: 'list', holds: false, misses: ['p95 200 ms ≥ 200 ms'] },
      { route: 'export', holds: false, misses: ['errors 2 % > 1 %'] },
    ]);
  });

  it('misses a budgeted route that answered nothing', () => {
    const empty: StepFigures = { instances: 1, connections: 1, routes: [figures('list', 1, 2)] };
    expect(judgeStep(empty, BUDGETS).routes[1]).toEqual({
      route: 'export',
      holds: false,
      misses: ['no request answered'],
    });
  });
});

describe('findKnee', () => {
  it('is the highest concurrency before the first miss, per instance count, whatever the order given', () => {
    const steps = [step(1, 8, 260), step(1, 1, 40), step(1, 4, 150), step(1, 2, 60), step(2, 1, 30), step(2, 8, 180)];
    expect(findKnee(steps, BUDGETS, 1)).toEqual({
      instances: 1,
      connections: 4,
      firstMiss: { connections: 8, misses: ['list: p95 260 ms ≥ 200 ms'] },
    });
    expect(findKnee(steps, BUDGETS, 2)).toEqual({ instances: 2, connections: 8 });
  });

  it('does not climb past a miss: a later step that holds again does not move the knee', () => {
    const steps = [step(1, 1, 40), step(1, 2, 250), step(1, 4, 150)];
    expect(findKnee(steps, BUDGETS, 1).connections).toBe(1);
  });

  it('has no knee when the first step misses', () => {
    expect(findKnee([step(1, 1, 50, 900)], BUDGETS, 1)).toEqual({
      instances: 1,
      connections: undefined,
      firstMiss: { connections: 1, misses: ['export: p95 900 ms ≥ 500 ms'] },
    });
  });
});

describe('speedRatios', () => {
  it('divides the baseline p50 by each route p50, leaving out the baseline and routes without samples', () => {
    const measured: StepFigures = {
      instances: 1,
      connections: 2,
      routes: [figures('list', 40, 90), figures('export', 30, 60), figures('ping', 10, 20), figures('none', NaN, NaN)],
    };
    expect(speedRatios(measured, 'ping')).toEqual({ list: 0.25, export: 0.333 });
  });

  it('gives nothing without a baseline sample', () => {
    expect(speedRatios(step(1, 1, 30), 'missing')).toEqual({});
  });
});

describe('compareRatios', () => {
  const recorded: RecordedRatios = {
    recorded: '2026-12-03T16:00:00Z',
    commit: 'abc',
    loadAverage: 4,
    tickets: 100000,
    instances: 1,
    connections: 2,
    baseline: 'ping',
    ratios: { list: 0.5, export: 0.2, reply: 0.4 },
  };
  const shape = { tickets: 100000, instances: 1, connections: 2, baseline: 'ping' };

  it('passes a drop of 30 % and fails one of more, and a recorded route that was not measured', () => {
    const check = compareRatios(recorded, { ...shape, ratios: { list: 0.35, export: 0.139, search: 0.1 } });
    expect(check.comparable).toBe(true);
    expect(check.failed).toBe(true);
    const byRoute = Object.fromEntries(check.changes.map((change) => [change.route, change]));
    expect(byRoute.list).toMatchObject({ failed: false });
    expect(byRoute.list!.change).toBeCloseTo(-0.3);
    expect(byRoute.export).toMatchObject({ failed: true, recorded: 0.2, current: 0.139 });
    expect(byRoute.reply).toMatchObject({ failed: true, current: undefined, change: undefined });
    // A route not recorded yet has nothing to compare with.
    expect(byRoute.search).toMatchObject({ failed: false, recorded: undefined });
  });

  it('passes a run that got faster', () => {
    const check = compareRatios(recorded, { ...shape, ratios: { list: 0.9, export: 0.2, reply: 0.4 } });
    expect(check).toMatchObject({ comparable: true, failed: false });
  });

  it('compares nothing with a run of another shape, and says why', () => {
    const check = compareRatios(recorded, { ...shape, tickets: 1000, connections: 1, ratios: { list: 0.01 } });
    expect(check).toEqual({
      comparable: false,
      why: 'tickets 1000 here, 100000 recorded; connections 1 here, 2 recorded',
      changes: [],
      failed: false,
    });
  });
});
