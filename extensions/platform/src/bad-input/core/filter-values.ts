// Filter values Directus's query runner cannot take although its validator lets them through. validateQuery accepts
// null, numbers and booleans for every comparison operator, but the case-insensitive ones call `.toLowerCase()` on
// the value (run-ast apply-query/filter/operator.js): `{"name":{"_icontains":5}}` or `{"_istarts_with":null}`
// answered 500 (found by the fuzz); likewise `_some`/`_none` with no filter object. Checked on the parsed query (the items.query event), so REST, GraphQL, exports
// and websocket subscriptions are covered alike, `deep` sub-queries and relational filters included. Also a field key
// with parentheses that is no function call (`{")(":…}`), which Directus reads as one (see query-shape.ts). Pure.
import {
  ALIAS_NAME_MESSAGE,
  badAliasName,
  isObject,
  malformedCall,
  parsed,
  type QueryShapeIssue,
} from './query-shape.js';
import { MAX_WALK_DEPTH } from './depth.js';

export const CASE_INSENSITIVE_OPERATORS = new Set([
  '_ieq',
  '_nieq',
  '_icontains',
  '_nicontains',
  '_istarts_with',
  '_nistarts_with',
  '_iends_with',
  '_niends_with',
]);

/**
 * `{"messages":{"_some":null}}`: Directus calls Object.keys on the value (a 500, "Cannot convert undefined or null to
 * object"; fuzz seed 1405381070). Other values than a filter object were already 400s or 403s from Directus.
 */
export const RELATED_ROWS_OPERATORS = new Set(['_some', '_none']);

function filterIssues(node: unknown, path: string, depth: number, issues: QueryShapeIssue[]): void {
  if (!isObject(node) || depth > MAX_WALK_DEPTH) return;
  for (const [key, value] of Object.entries(node)) {
    const at = Array.isArray(node) ? `${path}[${key}]` : `${path}.${key}`;
    if (!Array.isArray(node) && malformedCall(key)) {
      // A field key with parentheses is read as a function call, as in `fields` (query-shape.ts).
      issues.push({ path: at, message: 'A function in a field key is written name(field), once' });
    } else if (CASE_INSENSITIVE_OPERATORS.has(key)) {
      if (value !== undefined && typeof value !== 'string')
        issues.push({ path: at, message: `${key} compares text: its value must be text` });
    } else if (RELATED_ROWS_OPERATORS.has(key) && (!isObject(value) || Array.isArray(value))) {
      issues.push({ path: at, message: `${key} takes a filter of the related rows: its value must be an object` });
    } else {
      filterIssues(value, at, depth + 1, issues);
    }
  }
}

function deepIssues(deep: unknown, path: string, depth: number, issues: QueryShapeIssue[]): void {
  const level = parsed(deep);
  if (!isObject(level) || depth > MAX_WALK_DEPTH) return;
  for (const [key, value] of Object.entries(level)) {
    const at = `${path}.${key}`;
    if (key === '_filter') filterIssues(parsed(value), at, depth + 1, issues);
    else if (key === '_alias') aliasIssues(value, at, issues);
    else if (!key.startsWith('_') || key === '_deep') deepIssues(value, at, depth + 1, issues);
  }
}

/**
 * Alias names (query-shape.ts's rule, checked there on the URL): here again on the parsed query, for the paths that
 * reach Directus without our URL guard, websocket subscriptions above all (an alias named `*` would expand forever).
 */
function aliasIssues(alias: unknown, path: string, issues: QueryShapeIssue[]): void {
  const names = parsed(alias);
  if (isObject(names) && Object.keys(names).some(badAliasName)) issues.push({ path, message: ALIAS_NAME_MESSAGE });
}

/** The filter values and alias names in the query and in every `deep` sub-query that Directus would fail on. */
export function filterValueIssues(query: unknown): QueryShapeIssue[] {
  if (!isObject(query)) return [];
  const issues: QueryShapeIssue[] = [];
  filterIssues(parsed(query['filter']), 'filter', 0, issues);
  aliasIssues(query['alias'], 'alias', issues);
  deepIssues(query['deep'], 'deep', 0, issues);
  return issues;
}
