import { describe, expect, it } from '@jest/globals';
import { reportQuery } from './contract.js';
import {
  aggregateQuery,
  ageLabel,
  buildReport,
  histogramQuantile,
  resolveRange,
  weekFromParts,
  weekOf,
} from './compute.js';
import { reportDefinition, validateDefinitions, type ReportDefinition } from './definition.js';

const volume = reportDefinition.parse({
  kind: 'sum',
  name: 'volume',
  title: 'Volume',
  collection: 'report_counts',
  date_field: 'day',
  dimensions: ['status', 'priority'],
  measures: ['tickets', 'rated', 'rating_sum'],
  ratios: [{ name: 'rating_average', numerator: 'rating_sum', denominator: 'rated' }],
});
const times = reportDefinition.parse({
  kind: 'quantiles',
  name: 'times',
  title: 'Times',
  collection: 'report_times',
  date_field: 'day',
  dimensions: ['priority'],
  split_by: ['metric'],
  measures: ['tickets', 'met'],
  ratios: [{ name: 'compliance', numerator: 'met', denominator: 'tickets' }],
  bucket_field: 'bucket',
  bucket_base: 2,
  count_field: 'tickets',
  quantiles: [0.5, 0.9],
  unit: 'minutes',
});
const backlog = reportDefinition.parse({
  kind: 'age',
  name: 'backlog',
  title: 'Backlog',
  collection: 'report_counts',
  date_field: 'day',
  dimensions: ['priority'],
  filter: { status: { _in: ['open'] } },
  measures: ['tickets'],
  age_bounds_days: [1, 7],
});
const query = (input: Record<string, string> = {}) => reportQuery.parse(input);
const range = (definition: ReportDefinition, input: Record<string, string> = {}) => {
  const resolved = resolveRange(definition, query(input), '2026-12-03');
  if (!resolved.ok) throw new Error(resolved.message);
  return resolved.range;
};

describe('report query', () => {
  it('defaults to the 30 days up to today, by day', () => {
    expect(range(volume)).toEqual({ from: '2026-11-04', to: '2026-12-03', interval: 'day', groupBy: null, filter: {} });
  });
  it('gives age reports no lower bound and no interval', () => {
    expect(range(backlog)).toEqual({ from: null, to: '2026-12-03', interval: null, groupBy: null, filter: {} });
  });
  it('refuses a group_by that is not a dimension, reversed and too long ranges', () => {
    expect(resolveRange(volume, query({ group_by: 'organization' }), '2026-12-03')).toMatchObject({
      ok: false,
      path: 'group_by',
    });
    expect(resolveRange(volume, query({ from: '2026-12-04', to: '2026-12-03' }), '2026-12-03')).toMatchObject({
      ok: false,
    });
    expect(resolveRange(volume, query({ from: '2020-01-01', to: '2026-12-03' }), '2026-12-03')).toMatchObject({
      ok: false,
    });
  });
  it('refuses impossible dates and unknown parameters', () => {
    expect(reportQuery.safeParse({ from: '2026-02-30' }).success).toBe(false);
    expect(reportQuery.safeParse({ from: '2026-2-3' }).success).toBe(false);
    expect(reportQuery.safeParse({ interval: 'month' }).success).toBe(false);
    expect(reportQuery.safeParse({ format: 'pdf' }).success).toBe(false);
    expect(reportQuery.safeParse({ format: 'xlsx' }).success).toBe(true);
    expect(reportQuery.safeParse({ sort: 'x' }).success).toBe(false);
  });
  it('builds one aggregate: date range, the report filter, the split, group and bucket fields', () => {
    expect(aggregateQuery(times, range(times, { group_by: 'priority' }))).toEqual({
      aggregate: { sum: ['tickets', 'met'] },
      group: ['day', 'metric', 'priority', 'bucket'],
      filter: { _and: [{ day: { _lte: '2026-12-03' } }, { day: { _gte: '2026-11-04' } }] },
      limit: -1,
    });
    // Weekly histograms: grouped by the date's year, month and ISO week in SQL; counts and ages keep their days.
    expect(aggregateQuery(times, range(times, { interval: 'week' })).group).toEqual([
      'year(day)',
      'month(day)',
      'week(day)',
      'metric',
      'bucket',
    ]);
    expect(aggregateQuery(backlog, range(backlog, { interval: 'week' })).group).toEqual(['day']);
    expect((aggregateQuery(volume, range(volume, { interval: 'week' })).group as string[])[0]).toBe('day');
    // Directus applies one operator per field object: each bound is its own filter.
    const bounds = (aggregateQuery(times, range(times)).filter as { _and: Array<Record<string, object>> })._and;
    expect(bounds.every((filter) => Object.values(filter).every((ops) => Object.keys(ops).length === 1))).toBe(true);
    expect(aggregateQuery(backlog, range(backlog)).filter).toEqual({
      _and: [{ day: { _lte: '2026-12-03' } }, { status: { _in: ['open'] } }],
    });
  });
});

describe('report filters', () => {
  const uuid = '0b7e6a52-52a4-4e0b-9d1b-2f7a3c2d1e10';
  const resolve = (filter: Record<string, string>, uuids: string[] = []) =>
    resolveRange(volume, { ...query(), filter }, '2026-12-03', new Set(uuids));
  it('adds one _in per dimension, values split on commas and deduplicated', () => {
    const resolved = resolve({ priority: 'high, urgent,high', status: 'open' });
    if (!resolved.ok) throw new Error(resolved.message);
    expect(resolved.range.filter).toEqual({ priority: ['high', 'urgent'], status: ['open'] });
    expect(aggregateQuery(volume, resolved.range).filter).toEqual({
      _and: [
        { day: { _lte: '2026-12-03' } },
        { day: { _gte: '2026-11-04' } },
        { priority: { _in: ['high', 'urgent'] } },
        { status: { _in: ['open'] } },
      ],
    });
  });
  it('refuses a field that is not a dimension of the report (the date, a measure, anything else)', () => {
    for (const field of ['day', 'tickets', 'organization', 'subject'])
      expect(resolve({ [field]: 'x' })).toMatchObject({ ok: false, path: `filter.${field}` });
  });
  it('takes only uuids for a uuid dimension, and plain values otherwise', () => {
    expect(resolve({ status: uuid }, ['status'])).toMatchObject({ ok: true });
    expect(resolve({ status: 'open' }, ['status'])).toMatchObject({ ok: false, path: 'filter.status' });
    expect(resolve({ status: "open'); drop" })).toMatchObject({ ok: false });
    expect(resolve({ status: 'a,,b' })).toMatchObject({ ok: false });
    expect(resolve({ status: Array.from({ length: 51 }, (_, i) => `s${i}`).join(',') })).toMatchObject({ ok: false });
  });
  it('is a record of dimension names to text in the query contract', () => {
    expect(reportQuery.safeParse({ filter: { priority: 'high' } }).success).toBe(true);
    expect(reportQuery.safeParse({ filter: { 'Bad-Name': 'x' } }).success).toBe(false);
    expect(reportQuery.safeParse({ filter: { priority: ['a', 'b'] } }).success).toBe(false);
    expect(reportQuery.safeParse({ filter: 'priority' }).success).toBe(false);
  });
});

describe('report figures', () => {
  it('puts days in ISO weeks starting on Monday', () => {
    expect(weekOf('2026-12-03')).toBe('2026-11-30');
    expect(weekOf('2026-11-30')).toBe('2026-11-30');
    expect(weekOf('2026-11-29')).toBe('2026-11-23');
    expect(weekOf('2027-01-01')).toBe('2026-12-28');
  });
  it("finds the ISO week's Monday from a date's calendar year, month and ISO week, across year ends", () => {
    const DAY = 86_400_000;
    const mismatches: string[] = [];
    for (let time = Date.parse('2025-12-01T00:00:00Z'); time <= Date.parse('2028-01-10T00:00:00Z'); time += DAY) {
      const day = new Date(time).toISOString().slice(0, 10);
      const monday = weekOf(day);
      // ISO week number, independently: the week's Thursday, counted in weeks from 1 January of its own year.
      const thursday = new Date(Date.parse(`${monday}T00:00:00Z`) + 3 * DAY);
      const week = Math.floor((thursday.getTime() - Date.UTC(thursday.getUTCFullYear(), 0, 1)) / DAY / 7) + 1;
      const found = weekFromParts(Number(day.slice(0, 4)), Number(day.slice(5, 7)), week);
      if (found !== monday) mismatches.push(`${day}: ${found} instead of ${monday}`);
    }
    expect(mismatches).toEqual([]);
    expect(weekFromParts(2027, 1, 53)).toBe('2026-12-28');
    expect(weekFromParts(2025, 12, 1)).toBe('2025-12-29');
  });
  it('takes weekly rows grouped in SQL by year, month and week (as Directus names them), nulls as null', () => {
    const rows = [
      {
        day_year: '2026',
        day_month: '12',
        day_week: '53',
        status: 'open',
        sum: { tickets: 2, rated: 0, rating_sum: 0 },
      },
      { day_year: 2027, day_month: 1, day_week: 53, status: 'open', sum: { tickets: 1, rated: 1, rating_sum: 5 } },
      { day_year: null, day_month: null, day_week: null, status: 'open', sum: { tickets: 1, rated: 0, rating_sum: 0 } },
    ];
    expect(buildReport(volume, range(volume, { interval: 'week', group_by: 'status' }), rows, '2027-01-03')).toEqual([
      { period: null, status: 'open', tickets: 1, rated: 0, rating_sum: 0, rating_average: null },
      { period: '2026-12-28', status: 'open', tickets: 3, rated: 1, rating_sum: 5, rating_average: 5 },
    ]);
  });
  it('labels ages by the bounds', () => {
    expect([0, 1, 6, 7, 400].map((days) => ageLabel(days, [1, 7]))).toEqual(['0-1d', '1-7d', '1-7d', '7d+', '7d+']);
  });
  it('reads quantiles from the middle of the bucket holding them', () => {
    // base 2: bucket 0 is [0, 1), bucket 3 is [7, 15)
    const histogram = new Map([
      [0, 5],
      [3, 4],
      [5, 1],
    ]);
    expect(histogramQuantile(histogram, 0.5, 2)).toBe(0.5);
    expect(histogramQuantile(histogram, 0.9, 2)).toBe(11);
    expect(histogramQuantile(histogram, 0.95, 2)).toBe(47);
    expect(histogramQuantile(new Map([[1, 0]]), 0.5, 2)).toBeNull();
  });
  it('sums by week and group, derives ratios and drops empty rows', () => {
    const rows = [
      { day: '2026-11-30', status: 'open', sum: { tickets: '2', rated: '1', rating_sum: '4' } },
      { day: '2026-12-02', status: 'open', sum: { tickets: 3, rated: 1, rating_sum: 2 } },
      { day: '2026-12-02', status: 'closed', sum: { tickets: 0, rated: 0, rating_sum: 0 } },
      { day: '2026-11-29', status: null, sum: { tickets: 1, rated: 0, rating_sum: 0 } },
    ];
    expect(buildReport(volume, range(volume, { interval: 'week', group_by: 'status' }), rows, '2026-12-03')).toEqual([
      { period: '2026-11-23', status: null, tickets: 1, rated: 0, rating_sum: 0, rating_average: null },
      { period: '2026-11-30', status: 'open', tickets: 5, rated: 2, rating_sum: 6, rating_average: 3 },
    ]);
  });
  it('computes quantiles and compliance per period and split', () => {
    const rows = [
      { day: '2026-12-01', metric: 'first', bucket: 0, sum: { tickets: 1, met: 1 } },
      { day: '2026-12-01', metric: 'first', bucket: 3, sum: { tickets: 1, met: 0 } },
      { day: '2026-12-01', metric: 'last', bucket: 1, sum: { tickets: 2, met: 2 } },
    ];
    expect(buildReport(times, range(times), rows, '2026-12-03')).toEqual([
      { period: '2026-12-01', metric: 'first', tickets: 2, met: 1, compliance: 0.5, p50_minutes: 0.5, p90_minutes: 11 },
      { period: '2026-12-01', metric: 'last', tickets: 2, met: 2, compliance: 1, p50_minutes: 2, p90_minutes: 2 },
    ]);
  });
  it('sums the backlog by age as of today, youngest first', () => {
    const rows = [
      { day: '2026-11-01', sum: { tickets: 4 } },
      { day: '2026-12-03', sum: { tickets: 1 } },
      { day: '2026-11-30', sum: { tickets: 2 } },
      { day: '2026-11-29', sum: { tickets: 3 } },
    ];
    expect(buildReport(backlog, range(backlog), rows, '2026-12-03')).toEqual([
      { age: '0-1d', tickets: 1 },
      { age: '1-7d', tickets: 5 },
      { age: '7d+', tickets: 4 },
    ]);
  });
});

describe('report definitions', () => {
  it('accepts valid rows and names the problems of bad ones', () => {
    expect(validateDefinitions([{ name: 'volume', definition: volume }])).toEqual({ ok: true, definitions: [volume] });
    const bad = validateDefinitions([
      { name: 'other', definition: volume },
      { name: 'times', definition: { ...times, count_field: 'nope' } },
      { name: 'volume', definition: { ...volume, ratios: [{ name: 'r', numerator: 'a', denominator: 'tickets' }] } },
      { name: 'y', definition: { kind: 'pie' } },
    ]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.map((problem) => problem.name)).toEqual(['other', 'times', 'volume', 'y']);
  });
});
