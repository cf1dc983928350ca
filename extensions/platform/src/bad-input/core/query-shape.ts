// The shapes Directus's query parameters may take once Express has parsed the query string (brackets make
// objects: `meta[x]=1` is { x: '1' }, `fields[a]=b` an object, `limit=1&limit=2` a list). Directus's
// sanitizeQuery assumes these shapes and fails with a 500 (`rawMeta.includes is not a function`, `field.trim is
// not a function`) on others, so other shapes are refused first, as a 400 naming the parameter.
import { MAX_JSON_DEPTH, nestsDeeperThan } from './depth.js';

type Shape = 'text' | 'text or list of text' | 'text or object' | 'JSON object';

const SHAPES: Record<string, Shape> = {
  fields: 'text or list of text',
  groupBy: 'text or list of text',
  sort: 'text or list of text',
  meta: 'text or list of text',
  limit: 'text',
  offset: 'text',
  page: 'text',
  search: 'text',
  export: 'text',
  version: 'text',
  versionRaw: 'text',
  backlink: 'text',
  filter: 'text or object',
  deep: 'JSON object', // `deep=null` reached Object.entries(null): a 500
  // Text that is not JSON is walked as an object of characters and assigned to (a TypeError).
  aggregate: 'JSON object',
  alias: 'JSON object',
};

function fits(shape: Shape, value: unknown): boolean {
  if (shape === 'JSON object') {
    const object = parsed(value);
    return object !== null && typeof object === 'object' && !Array.isArray(object);
  }
  if (typeof value === 'string') return true;
  if (shape === 'text or list of text')
    return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
  if (shape === 'text or object') return value !== null && typeof value === 'object' && !Array.isArray(value);
  return false;
}

export interface QueryShapeIssue {
  path: string;
  message: string;
}

/** The parameters whose parsed value has a shape Directus cannot take, each with what it should be. */
export function queryShapeIssues(query: Record<string, unknown> | undefined): QueryShapeIssue[] {
  if (!query || typeof query !== 'object') return [];
  const issues = Object.entries(SHAPES)
    .filter(([name, shape]) => Object.hasOwn(query, name) && query[name] !== undefined && !fits(shape, query[name]))
    .map(([name, shape]) => ({
      path: name,
      message: `Must be ${shape === 'text' ? 'a single text value' : `a ${shape}`}`,
    }));
  for (const name of ['filter', 'deep', 'aggregate', 'alias']) {
    if (Object.hasOwn(query, name) && nestsDeeperThan(parsed(query[name])))
      issues.push({ path: name, message: `Nests deeper than ${MAX_JSON_DEPTH} levels` });
  }
  for (const name of ['fields', 'sort', 'groupBy', 'aggregate', 'alias']) {
    if (!issues.length && Object.hasOwn(query, name) && namesAPrototypeKey(fieldPaths(name, query[name])))
      issues.push({ path: name, message: 'A field path may not use __proto__, constructor or prototype' });
  }
  if (Object.hasOwn(query, 'groupBy') && !issues.length && groupsByARelation(query.groupBy))
    issues.push({ path: 'groupBy', message: 'Groups by fields of the collection itself, not through a relation' });
  if (Object.hasOwn(query, 'aggregate') && !issues.length && aggregatesAFunction(query.aggregate))
    issues.push({ path: 'aggregate', message: 'Aggregates take field names, not functions such as year(field)' });
  return issues.length || !Object.hasOwn(query, 'deep') ? issues : deepIssues(query.deep);
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * Issues in `deep`, whose per-relation sub-queries Directus 11 sanitizes without awaiting them
 * (sanitize-query.js sanitizeDeep → parse): a sub-query that throws there is an unhandled rejection, which stops the
 * whole process. Each `_`-key is checked for the shape Directus's sanitizer needs, at every level, before Directus
 * sees it: `_filter` an object (or JSON text of one), `_fields`/`_sort`/`_groupBy`/`_meta` text or a list of text,
 * `_aggregate`/`_alias` text or an object, `_deep` the same rules again.
 */
export function deepIssues(deep: unknown, path = 'deep', depth = 0): QueryShapeIssue[] {
  const level = parsed(deep);
  if (!isObject(level) || depth > 20) return depth > 20 ? [{ path, message: 'Is nested too deeply' }] : [];
  const issues: QueryShapeIssue[] = [];
  for (const [key, value] of Object.entries(level)) {
    if (!key) break; // where Directus's own walk stops
    const at = `${path}.${key}`;
    if (!key.startsWith('_')) {
      if (isObject(value)) issues.push(...deepIssues(value, at, depth + 1));
      continue;
    }
    const name = key.slice(1);
    const shape = SHAPES[name];
    if (name === 'filter') {
      const filter = parsed(value);
      if (!isObject(filter) || Array.isArray(filter)) issues.push({ path: at, message: 'Must be a filter object' });
    } else if (name === 'deep') {
      issues.push(...deepIssues(value, at, depth + 1));
    } else if (shape && shape !== 'text' && !fits(shape, value)) {
      issues.push({ path: at, message: `Must be a ${shape}` });
    }
  }
  return issues;
}

/**
 * `aggregate={"count":"year(date_created)"}`: Directus passes the text to SQL as a column name, PostgreSQL answers
 * "column … does not exist" and Directus a 500 with the SQL in the message.
 */
const COUNTS_ALL = new Set(['count', 'countAll']);

function aggregatesAFunction(aggregate: unknown): boolean {
  return aggregatedFields(aggregate).some(
    // `*` only counts: `sumDistinct=*` reached SQL as sum(distinct table.*), another 500 with the SQL.
    ([fn, field]) => typeof field === 'string' && (/[()]/.test(field) || (field.trim() === '*' && !COUNTS_ALL.has(fn))),
  );
}

/** Each [function, field] an `aggregate` names, e.g. {"count":"a,b"} gives [count, a] and [count, b]. */
function aggregatedFields(aggregate: unknown): [string, unknown][] {
  const object = parsed(aggregate);
  if (!isObject(object)) return [];
  return Object.entries(object).flatMap(([fn, fields]) =>
    (Array.isArray(fields) ? fields : typeof fields === 'string' ? fields.split(',') : [fields]).map(
      (field): [string, unknown] => [fn, field],
    ),
  );
}

/** The field paths a parameter names: the fields an `aggregate` takes and the fields an `alias` points at. */
function fieldPaths(name: string, value: unknown): unknown {
  if (name === 'aggregate') return aggregatedFields(value).map(([, field]) => field);
  if (name === 'alias') {
    const object = parsed(value);
    return isObject(object) ? Object.values(object) : [];
  }
  return value;
}

/** `groupBy=ticket.assignee`: Directus 11 fails on a relational path here (a TypeError, 500). */
function groupsByARelation(groupBy: unknown): boolean {
  const fields = typeof groupBy === 'string' ? groupBy.split(',') : Array.isArray(groupBy) ? groupBy : [];
  return fields.some((field) => typeof field === 'string' && field.includes('.'));
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * `fields=modified_by.__proto__`: Directus looks the segment up on a plain object and gets Object.prototype (500).
 * `aggregate={"count":"constructor"}` passes Directus's field check the same way and reaches SQL as a column (500).
 */
function namesAPrototypeKey(value: unknown): boolean {
  const paths = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  return paths.some(
    (path) =>
      typeof path === 'string' &&
      path.split('.').some((segment) => PROTOTYPE_KEYS.has(segment.trim().replace(/^-/, ''))),
  );
}
