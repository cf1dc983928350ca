import { describe, expect, it } from '@jest/globals';
import { figuresByRoute, pickWeighted, type Sample } from './mix.js';

describe('pickWeighted', () => {
  const routes = [
    { name: 'list', weight: 3 },
    { name: 'none', weight: 0 },
    { name: 'reply', weight: 1 },
  ];

  it('takes each route in proportion to its weight, never one of weight 0', () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const name = pickWeighted(routes, i / 400).name;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts).toEqual({ list: 300, reply: 100 });
  });

  it('gives the last weighted route for random = 1', () => {
    expect(pickWeighted(routes, 1).name).toBe('reply');
  });

  it('refuses a mix without weight', () => {
    expect(() => pickWeighted([], 0.5)).toThrow(/at least one route/);
    expect(() => pickWeighted([{ name: 'a', weight: 0 }], 0.5)).toThrow(/at least one route/);
  });
});

describe('figuresByRoute', () => {
  it('gives rate, percentiles and error rate per route, NaN times for a route without samples', () => {
    const samples: Sample[] = [
      ...Array.from({ length: 100 }, (_, i) => ({ route: 'list', ms: i + 1, error: i >= 98 })),
      { route: 'reply', ms: 40, error: false },
    ];
    const [list, reply, search] = figuresByRoute(samples, ['list', 'reply', 'search'], 10);
    expect(list).toEqual({
      route: 'list',
      requests: 100,
      requestsPerSecond: 10,
      p50Ms: 50,
      p95Ms: 95,
      p99Ms: 99,
      errors: 2,
      errorRate: 0.02,
    });
    expect(reply).toMatchObject({ requests: 1, requestsPerSecond: 0.1, p50Ms: 40, p95Ms: 40, errorRate: 0 });
    expect(search).toMatchObject({ requests: 0, errorRate: 0 });
    expect(search!.p95Ms).toBeNaN();
  });
});
