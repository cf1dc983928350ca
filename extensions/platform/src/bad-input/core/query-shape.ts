// The shapes Directus's query parameters may take once Express has parsed the query string (brackets make
// objects: `meta[x]=1` is { x: '1' }, `fields[a]=b` an object, `limit=1&limit=2` a list). Directus's
// sanitizeQuery assumes these shapes and fails with a 500 (`rawMeta.includes is not a function`, `field.trim is
// not a function`) on others, so other shapes are refused first, as a 400 naming the parameter.
import { MAX_JSON_DEPTH, MAX_WALK_DEPTH, nestsDeeperThan } from './depth.js';

type Shape = 'text' | 'text or list of text' | 'text or list of names' | 'text or object' | 'JSON object';

const SHAPES: Record<string, Shape> = {
  fields: 'text or list of text',
  groupBy: 'text or list of text',
  sort: 'text or list of text',
  // sanitizeMeta asks `rawMeta.includes(',')` before it looks for a list, so a list holding a lone comma
  // (`meta=,&meta=*`) reached `.split` on an array: a 500.
  meta: 'text or list of names',
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

function mustBe(shape: Shape): string {
  if (shape === 'text') return 'Must be a single text value';
  if (shape === 'text or list of names') return 'Must be a text or list of names (a lone comma is not a name)';
  return `Must be a ${shape}`;
}

function fits(shape: Shape, value: unknown): boolean {
  if (shape === 'JSON object') {
    const object = parsed(value);
    return object !== null && typeof object === 'object' && !Array.isArray(object);
  }
  if (typeof value === 'string') return true;
  if (shape === 'text or list of text')
    return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
  if (shape === 'text or list of names')
    return Array.isArray(value) && value.every((entry) => typeof entry === 'string' && entry !== ',');
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
      message: mustBe(shape),
    }));
  for (const name of Object.keys(SHAPES)) {
    if (!issues.length && Object.hasOwn(query, name) && holdsANulByte(parsed(query[name])))
      issues.push({ path: name, message: NUL_MESSAGE });
  }
  for (const name of ['filter', 'deep', 'aggregate', 'alias']) {
    if (Object.hasOwn(query, name) && nestsDeeperThan(parsed(query[name])))
      issues.push({ path: name, message: `Nests deeper than ${MAX_JSON_DEPTH} levels` });
  }
  for (const name of ['fields', 'sort', 'groupBy', 'aggregate', 'alias']) {
    if (!issues.length && Object.hasOwn(query, name) && namesAPrototypeKey(fieldPaths(name, query[name])))
      issues.push({ path: name, message: PROTOTYPE_KEY_MESSAGE });
    if (!issues.length && Object.hasOwn(query, name) && namesAMalformedCall(fieldPaths(name, query[name])))
      issues.push({ path: name, message: MALFORMED_CALL_MESSAGE });
  }
  if (Object.hasOwn(query, 'alias') && !issues.length && aliasesAWildcard(query.alias))
    issues.push({ path: 'alias', message: ALIAS_NAME_MESSAGE });
  if (Object.hasOwn(query, 'groupBy') && !issues.length && groupsByARelation(query.groupBy))
    issues.push({ path: 'groupBy', message: 'Groups by fields of the collection itself, not through a relation' });
  if (Object.hasOwn(query, 'aggregate') && !issues.length && aggregatesAFunction(query.aggregate))
    issues.push({ path: 'aggregate', message: 'Aggregates take field names, not functions such as year(field)' });
  if (Object.hasOwn(query, 'aggregate') && !issues.length && aggregatesThroughARelation(query.aggregate))
    issues.push({
      path: 'aggregate',
      message: 'Aggregates take fields of the collection itself, not through a relation',
    });
  return issues.length || !Object.hasOwn(query, 'deep') ? issues : deepIssues(query.deep);
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object';

/** A parameter's value as JSON when it is JSON text, else as given (Directus parses the JSON ones the same way). */
export function parsed(value: unknown): unknown {
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
      issues.push({ path: at, message: mustBe(shape) });
    } else if (name === 'alias' && aliasesAWildcard(value)) {
      issues.push({ path: at, message: ALIAS_NAME_MESSAGE });
    } else if (['fields', 'sort', 'groupBy'].includes(name) && namesAPrototypeKey(value)) {
      issues.push({ path: at, message: PROTOTYPE_KEY_MESSAGE });
    } else if (['fields', 'sort', 'groupBy'].includes(name) && namesAMalformedCall(value)) {
      issues.push({ path: at, message: MALFORMED_CALL_MESSAGE });
    }
  }
  return issues;
}

const MALFORMED_CALL_MESSAGE = 'A function in a field path is written name(field), once: e.g. year(date_created)';

/**
 * `fields=)(` or `year()`: Directus takes a field with both parentheses for a function call and reads its argument
 * with /\(([^()]+)\)/, which finds none there: `match(...)[1]` of null, a 500 (found by the fuzz). A path with a
 * parenthesis must hold exactly one call with an argument. Lists are split as Directus splits them (commas inside
 * parentheses stay).
 */
export function malformedCall(path: string): boolean {
  return /[()]/.test(path) && !/^[^()]*\([^()]+\)[^()]*$/.test(path);
}

/** Splits at the commas outside parentheses, as Directus's splitFields does (without its errors). */
function splitOutsideParentheses(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function namesAMalformedCall(value: unknown): boolean {
  const listed = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
  return listed
    .flatMap((entry) => (typeof entry === 'string' ? splitOutsideParentheses(entry) : []))
    .some((path) => malformedCall(path.trim().replace(/^-/, '')));
}

const PROTOTYPE_KEY_MESSAGE =
  'A field path may not use a name of Object.prototype (__proto__, constructor, prototype, valueOf, toString, …)';
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

export const ALIAS_NAME_MESSAGE =
  'An alias name must be a plain field name: not empty, without *, . or , and without control characters';

/**
 * `alias={"*":"count(id)"}`: an alias is a new field name, and Directus's convertWildcards puts the alias names in
 * place of a `*` field, then reads on: an alias named `*` is expanded again, forever (the process grew until it ran
 * out of memory, for any role that may read the collection). Names with `.` or `,` are paths or lists, not names.
 * A control character: the name goes into the SQL text as an identifier, and a NUL there breaks PostgreSQL's
 * protocol ("insufficient data left in message", a 500 with the SQL; found by the fuzz).
 */
export function badAliasName(name: string): boolean {
  return name.trim() === '' || /[*.,]/.test(name) || CONTROL_CHARACTER.test(name);
}

function aliasesAWildcard(alias: unknown): boolean {
  const object = parsed(alias);
  return isObject(object) && Object.keys(object).some(badAliasName);
}

const NUL_MESSAGE = 'Contains a NUL byte (\\u0000), which no field name or text value can hold';

/**
 * A NUL byte inside a parameter's JSON (`{"\u0000":"id"}`): the URL itself has none, so the URL rule
 * (data-exception.ts) does not see it. As a value PostgreSQL refuses it (a data exception, a 400 already); as a name
 * it reaches the SQL text and breaks the protocol (a 500). Refused in any key or text, at any depth.
 */
function holdsANulByte(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (!isObject(value) || depth > MAX_WALK_DEPTH) return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || holdsANulByte(inner, depth + 1));
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

/**
 * `aggregate={"count":"id.id"}`: Directus writes `<collection>.id.id` into the SQL, a syntax error, answered 500 with
 * the SQL in the message (the fuzz, seed 1732759436, run 27675). Directus aggregates no relational path.
 */
function aggregatesThroughARelation(aggregate: unknown): boolean {
  return aggregatedFields(aggregate).some(([, field]) => typeof field === 'string' && field.includes('.'));
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

// Every name a plain object inherits, not only the three that reach the prototype itself.
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * `fields=modified_by.__proto__`: Directus looks the segment up on a plain object and gets Object.prototype (500).
 * `aggregate={"count":"constructor"}` passes Directus's field check the same way and reaches SQL as a column (500).
 * `groupBy=valueOf&alias={…}`: Directus asks `name in query.alias`, true for any inherited name, and takes the
 * inherited function as the field's name (`path.indexOf is not a function`, a 500; fuzz seed 1177272288).
 */
function namesAPrototypeKey(value: unknown): boolean {
  // Directus splits a list's entries at commas too (sanitizeFields): `groupBy=a,constructor&groupBy=b` names it.
  const listed = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : [];
  const paths = listed.flatMap((entry) => (typeof entry === 'string' ? entry.split(',') : [entry]));
  return paths.some(
    (path) =>
      typeof path === 'string' &&
      path.split('.').some((segment) => PROTOTYPE_KEYS.has(segment.trim().replace(/^-/, ''))),
  );
}
