// Turns a report request into one Directus aggregate query over the rollup, and the aggregated rows into the
// answer: periods (day or ISO week), ratios, histogram quantiles and age buckets. Pure: the store runs the query.
import type { ReportDefinition } from './definition.js';
import { MAX_RANGE_DAYS, type ReportQuery } from './contract.js';

const DAY_MS = 86_400_000;
type Cell = string | number | null;
export type ReportRow = Record<string, Cell>;

export interface ReportRange {
  from: string | null;
  to: string;
  interval: 'day' | 'week' | null;
  groupBy: string | null;
  /** Dimension → the values it must be one of. */
  filter: Record<string, string[]>;
}

/** Most values one filter may list. */
export const MAX_FILTER_VALUES = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TEXT_VALUE = /^[A-Za-z0-9_.:@ -]{1,100}$/;

const dayNumber = (day: string): number => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
const dayString = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/**
 * `uuidFields` are the dimensions whose column is a uuid (the adapter reads it from Directus's schema): their values
 * must be uuids, so a bad one is a 400 and never reaches Postgres as a cast error.
 */
export function resolveRange(
  definition: ReportDefinition,
  query: Pick<ReportQuery, 'from' | 'to' | 'interval' | 'group_by' | 'filter'>,
  today: string,
  uuidFields: ReadonlySet<string> = new Set(),
): { ok: true; range: ReportRange } | { ok: false; path: string; message: string } {
  const dimensions = `one of: ${definition.dimensions.join(', ') || '(none)'}`;
  if (query.group_by !== undefined && !definition.dimensions.includes(query.group_by))
    return { ok: false, path: 'group_by', message: dimensions };
  const filter: Record<string, string[]> = {};
  for (const [dimension, text] of Object.entries(query.filter ?? {})) {
    const path = `filter.${dimension}`;
    if (!definition.dimensions.includes(dimension)) return { ok: false, path, message: dimensions };
    const values = [...new Set(text.split(',').map((value) => value.trim()))];
    if (values.length > MAX_FILTER_VALUES) return { ok: false, path, message: `at most ${MAX_FILTER_VALUES} values` };
    const valid = uuidFields.has(dimension) ? UUID : TEXT_VALUE;
    const bad = values.find((value) => !valid.test(value));
    if (bad !== undefined)
      return {
        ok: false,
        path,
        message: uuidFields.has(dimension) ? 'uuids, comma-separated' : 'values, comma-separated',
      };
    filter[dimension] = values;
  }
  const to = query.to ?? today;
  const from = query.from ?? (definition.kind === 'age' ? null : dayString(dayNumber(to) - 29));
  if (from !== null) {
    if (dayNumber(from) > dayNumber(to)) return { ok: false, path: 'from', message: 'after to' };
    if (dayNumber(to) - dayNumber(from) + 1 > MAX_RANGE_DAYS)
      return { ok: false, path: 'from', message: `the range may cover at most ${MAX_RANGE_DAYS} days` };
  }
  return {
    ok: true,
    range: {
      from,
      to,
      interval: definition.kind === 'age' ? null : query.interval,
      groupBy: query.group_by ?? null,
      filter,
    },
  };
}

/** The aggregate query ItemsService runs with the caller's accountability (their row rules narrow it further). */
export function aggregateQuery(definition: ReportDefinition, range: ReportRange): Record<string, unknown> {
  // One operator per filter object: Directus applies only the first operator of a field's object
  // (run-ast/lib/apply-query/get-operation.js), so `{ _lte, _gte }` together silently dropped the range's start.
  const filters: Array<Record<string, unknown>> = [{ [definition.date_field]: { _lte: range.to } }];
  if (range.from !== null) filters.push({ [definition.date_field]: { _gte: range.from } });
  if (definition.filter) filters.push(definition.filter);
  for (const [dimension, values] of Object.entries(range.filter)) filters.push({ [dimension]: { _in: values } });
  // A weekly histogram report is grouped by ISO week in SQL (Directus's function fields): its rows are days × splits ×
  // buckets, and reading a seventh of them through Directus took its p95 at 1M tickets from about 200 ms to 80 ms. A
  // count report keeps its days: EXTRACT on every rollup row cost more than it saved (CSAT weekly as an agent, 25 to
  // 70 ms p50). The calendar year and month say which ISO year a week belongs to (weekFromParts).
  const dateGroup =
    range.interval === 'week' && definition.kind === 'quantiles'
      ? WEEK_PARTS.map((part) => `${part}(${definition.date_field})`)
      : [definition.date_field];
  const groupBy = [...dateGroup, ...definition.split_by];
  if (range.groupBy !== null && !groupBy.includes(range.groupBy)) groupBy.push(range.groupBy);
  if (definition.kind === 'quantiles') groupBy.push(definition.bucket_field);
  // `group` is ItemsService's name for what REST calls groupBy.
  return { aggregate: { sum: definition.measures }, group: groupBy, filter: { _and: filters }, limit: -1 };
}

const WEEK_PARTS = ['year', 'month', 'week'] as const;

/**
 * Monday of ISO week `week` of a date whose calendar year and month are given (Directus's `year()`, `month()`,
 * `week()`: EXTRACT of YEAR, MONTH and ISO WEEK): a December date in week 1 is in the next ISO year, a January date in
 * week 52 or 53 in the previous one.
 */
export function weekFromParts(year: number, month: number, week: number): string {
  const isoYear = month === 12 && week === 1 ? year + 1 : month === 1 && week >= 52 ? year - 1 : year;
  return dayString(dayNumber(weekOf(`${isoYear}-01-04`)) + 7 * (week - 1));
}

/** Monday of the ISO week the day is in. */
export function weekOf(day: string): string {
  const n = dayNumber(day);
  const weekday = (new Date(n * DAY_MS).getUTCDay() + 6) % 7;
  return dayString(n - weekday);
}

export function ageLabel(days: number, bounds: number[]): string {
  let lower = 0;
  for (const bound of bounds) {
    if (days < bound) return `${lower}-${bound}d`;
    lower = bound;
  }
  return `${lower}d+`;
}

/** The value below which a share q of the histogram's counts lies: the middle of the bucket holding it. */
export function histogramQuantile(histogram: Map<number, number>, q: number, base: number): number | null {
  const buckets = [...histogram.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= target) return Math.round(((base ** bucket - 1 + (base ** (bucket + 1) - 1)) / 2) * 10) / 10;
  }
  return null;
}

const asNumber = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const asCell = (value: unknown): Cell =>
  value === null || value === undefined ? null : typeof value === 'number' ? value : String(value);

interface Accumulated {
  keys: ReportRow;
  sums: Record<string, number>;
  histogram: Map<number, number>;
}

/**
 * Rows as Directus returns an aggregate with groupBy: the group fields at the top level and `sum: { measure }`
 * (numbers or, for bigint sums, strings).
 */
export function buildReport(
  definition: ReportDefinition,
  range: ReportRange,
  rows: Array<Record<string, unknown>>,
  today: string,
): ReportRow[] {
  const groups = new Map<string, Accumulated>();
  const firstColumn = definition.kind === 'age' ? 'age' : 'period';
  const splitFields = [...definition.split_by];
  if (range.groupBy !== null && !splitFields.includes(range.groupBy)) splitFields.push(range.groupBy);
  for (const row of rows) {
    const day = row[definition.date_field];
    const dayText = day === null || day === undefined ? null : String(day).slice(0, 10);
    // Weekly rows come grouped by the date's parts (aggregateQuery), named as Directus names function fields.
    const parts = WEEK_PARTS.map((part) => row[`${definition.date_field}_${part}`]);
    let first: string | null;
    if (definition.kind === 'age')
      first = dayText === null ? null : ageLabel(dayNumber(today) - dayNumber(dayText), definition.age_bounds_days);
    else if (range.interval === 'week' && parts.some((part) => part !== undefined))
      first = parts.some((part) => part === null)
        ? null
        : weekFromParts(...(parts.map(Number) as [number, number, number]));
    else first = dayText === null ? null : range.interval === 'week' ? weekOf(dayText) : dayText;
    const keys: ReportRow = { [firstColumn]: first };
    for (const field of splitFields) keys[field] = asCell(row[field]);
    const key = JSON.stringify(keys);
    let entry = groups.get(key);
    if (!entry) {
      entry = { keys, sums: Object.fromEntries(definition.measures.map((m) => [m, 0])), histogram: new Map() };
      groups.set(key, entry);
    }
    const sums = (row.sum ?? {}) as Record<string, unknown>;
    for (const measure of definition.measures) entry.sums[measure]! += asNumber(sums[measure]);
    if (definition.kind === 'quantiles') {
      const bucket = asNumber(row[definition.bucket_field]);
      entry.histogram.set(bucket, (entry.histogram.get(bucket) ?? 0) + asNumber(sums[definition.count_field]));
    }
  }
  const ageOrder = (label: Cell) =>
    definition.kind === 'age'
      ? [0, ...definition.age_bounds_days].findIndex(
          (bound) => String(label).startsWith(`${bound}-`) || label === `${bound}d+`,
        )
      : 0;
  const out = [...groups.values()]
    .filter((entry) => definition.measures.some((measure) => entry.sums[measure] !== 0))
    .map((entry) => {
      const row: ReportRow = { ...entry.keys, ...entry.sums };
      for (const { name, numerator, denominator } of definition.ratios) {
        const below = entry.sums[denominator] ?? 0;
        row[name] = below === 0 ? null : Math.round(((entry.sums[numerator] ?? 0) / below) * 10_000) / 10_000;
      }
      if (definition.kind === 'quantiles')
        for (const q of definition.quantiles)
          row[`p${Math.round(q * 100)}_${definition.unit}`] = histogramQuantile(
            entry.histogram,
            q,
            definition.bucket_base,
          );
      return row;
    });
  const sortKey = (row: ReportRow) =>
    [
      definition.kind === 'age' ? String(ageOrder(row.age ?? null)).padStart(3, '0') : String(row.period ?? ''),
      ...splitFields.map((field) => String(row[field] ?? '')),
    ].join('\u0000');
  return out.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}
