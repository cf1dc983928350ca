// Finds the field paths of a query (filter, sort, aggregate, groupBy, and the same inside `deep`) that the caller
// may not compare, order or aggregate on. Two scopes, as Directus builds the SQL:
// - a scope root (the queried collection, a `deep` level, an o2m `_some`/`_none` subquery) is limited to the rows
//   the caller can read, so a field there must be readable on every such row (`everyVisibleRow`);
// - a field reached through a relation is joined without any of the caller's item rules, so it must be readable on
//   every row of its collection (`everyRow`). The primary key right after a many-to-one hop is the foreign key
//   itself and needs nothing more.
// Concealed and hashed fields (password, tfa_secret, token...) are never usable. Pure.
import { hasField, type CollectionAccess } from './access.js';

export interface RelationView {
  /** The collection holding the foreign key (the "many" side). */
  collection: string;
  field: string;
  /** The "one" side; null for a many-to-any field. */
  related_collection: string | null;
  meta: { one_field?: string | null } | null;
}

export interface SchemaView {
  relations: readonly RelationView[];
  primaryKey(collection: string): string | undefined;
  /** Fields Directus never returns as they are (special `conceal` or `hash`). */
  concealed(collection: string, field: string): boolean;
}

export interface QueryView {
  filter?: unknown;
  sort?: unknown;
  aggregate?: unknown;
  group?: unknown;
  deep?: unknown;
}

export type RefusalReason = 'concealed' | 'not-readable-on-every-row' | 'related-rows-not-all-readable';

export interface Refusal {
  /** The path as written in the query, e.g. `assignee.email` or `messages.body`. */
  path: string;
  collection: string;
  field: string;
  reason: RefusalReason;
}

export type AccessOf = (collection: string) => CollectionAccess | null;

const FUNCTION_KEY = /^([^()]+)\(([^)]+)\)$/;
const FOLLOW_KEY = /^\$FOLLOW\(\s*([^,\s]+)\s*,\s*([^)\s]+)\s*\)$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  if (typeof value === 'string')
    return value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
  return [];
}

/** Whether the query compares, sorts or groups on any field: only such a query needs the caller's grants loaded. */
export function usesFields(query: QueryView): boolean {
  const given = (value: unknown) =>
    value !== undefined &&
    value !== null &&
    value !== '' &&
    !(typeof value === 'object' && Object.keys(value as object).length === 0);
  return [query.filter, query.sort, query.aggregate, query.group, query.deep].some(given);
}

export function refusedPaths(collection: string, query: QueryView, access: AccessOf, schema: SchemaView): Refusal[] {
  const refusals = new Map<string, Refusal>();

  const m2oTarget = (from: string, field: string) =>
    schema.relations.find((r) => r.collection === from && r.field === field && r.related_collection !== null)
      ?.related_collection ?? null;
  const o2mTarget = (from: string, field: string) =>
    schema.relations.find((r) => r.related_collection === from && r.meta?.one_field === field)?.collection ?? null;
  const isM2a = (from: string, field: string) =>
    schema.relations.some((r) => r.collection === from && r.field === field && r.related_collection === null);

  function refuse(path: string[], collectionName: string, field: string, reason: RefusalReason) {
    const key = `${path.join('.')}|${collectionName}|${field}`;
    if (!refusals.has(key)) refusals.set(key, { path: path.join('.'), collection: collectionName, field, reason });
  }

  /** Checks one field of `at`: in a scope root (cased) or reached through a join. */
  function checkField(path: string[], at: string, field: string, cased: boolean, afterManyToOne: boolean): boolean {
    if (schema.concealed(at, field)) {
      refuse(path, at, field, 'concealed');
      return false;
    }
    if (afterManyToOne && field === schema.primaryKey(at)) return true;
    const rights = access(at);
    const allowed = rights ? (cased ? rights.everyVisibleRow : rights.everyRow) : null;
    if (!allowed || !hasField(allowed, field)) {
      refuse(path, at, field, 'not-readable-on-every-row');
      return false;
    }
    return true;
  }

  /** Walks a path of fields from a scope root, hop by hop. */
  function checkPath(scope: string, parts: string[], prefix: string[]) {
    let at: string | null = scope;
    let cased = true;
    let afterManyToOne = false;
    for (let index = 0; index < parts.length && at; index += 1) {
      const part = parts[index]!;
      const path = [...prefix, ...parts.slice(0, index + 1)];
      const follow = FOLLOW_KEY.exec(part);
      if (follow) {
        // $FOLLOW(collection, field): the rows of `collection` whose `field` points here, joined.
        const [, target, foreignKey] = follow as unknown as [string, string, string];
        if (!checkField(path, target, foreignKey, false, false)) return;
        at = target;
        cased = false;
        afterManyToOne = false;
        continue;
      }
      const [name, scopedCollection] = part.split(':') as [string, string | undefined];
      const fn = FUNCTION_KEY.exec(name);
      if (fn) {
        const field = fn[2]!.trim().split(/[.[]/)[0]!;
        if (!checkField(path, at, field, cased, false)) return;
        const counted = fn[1]!.trim() === 'count' ? o2mTarget(at, field) : null;
        // count(o2m) counts every related row, whatever the caller may read of them.
        if (counted) {
          const key = schema.primaryKey(counted);
          const rights = access(counted);
          if (!key || !rights || !hasField(rights.everyRow, key))
            refuse(path, counted, key ?? '*', 'related-rows-not-all-readable');
        }
        return;
      }
      if (!checkField(path, at, name, cased, afterManyToOne)) return;
      const next: string | null =
        m2oTarget(at, name) ?? o2mTarget(at, name) ?? (isM2a(at, name) ? (scopedCollection ?? null) : null);
      afterManyToOne = m2oTarget(at, name) !== null || isM2a(at, name);
      at = next;
      cased = false;
    }
  }

  function walkFieldFilter(scope: string, parts: string[], value: unknown, prefix: string[]) {
    if (!isObject(value) || Object.keys(value).length === 0) {
      checkPath(scope, parts, prefix);
      return;
    }
    let compared = false;
    for (const [key, child] of Object.entries(value)) {
      if (key === '_some' || key === '_none') {
        const related = parts.length === 1 ? o2mTarget(scope, parts[0]!) : null;
        if (related) {
          // Directus runs a subquery limited to the related rows the caller can read: a new scope root.
          checkPath(scope, parts, prefix);
          walkFilter(related, child, [...prefix, parts[0]!]);
        } else walkFieldFilter(scope, parts, child, prefix);
      } else if (key === '_and' || key === '_or') {
        if (Array.isArray(child)) for (const sub of child) walkFieldFilter(scope, parts, sub, prefix);
      } else if (key.startsWith('_')) compared = true;
      else walkFieldFilter(scope, [...parts, key], child, prefix);
    }
    if (compared) checkPath(scope, parts, prefix);
  }

  function walkFilter(scope: string, filter: unknown, prefix: string[]) {
    if (!isObject(filter)) return;
    for (const [key, value] of Object.entries(filter)) {
      if (key === '_and' || key === '_or') {
        if (Array.isArray(value)) for (const sub of value) walkFilter(scope, sub, prefix);
      } else if (!key.startsWith('_')) walkFieldFilter(scope, [key], value, prefix);
    }
  }

  function walkQuery(scope: string, view: QueryView, prefix: string[]) {
    walkFilter(scope, view.filter, prefix);
    const aggregate = isObject(view.aggregate) ? view.aggregate : {};
    for (const entry of listOf(view.sort)) {
      const parts = entry.replace(/^-/, '').split('.');
      // Sorting by an aggregate's result, not by a field.
      if (parts[0]! in aggregate) continue;
      checkPath(scope, parts, prefix);
    }
    for (const fields of Object.values(aggregate)) {
      for (const field of listOf(fields)) if (field !== '*') checkPath(scope, field.split('.'), prefix);
    }
    for (const field of listOf(view.group)) checkPath(scope, field.split('.'), prefix);
    walkDeep(scope, view.deep, prefix);
  }

  function walkDeep(scope: string, deep: unknown, prefix: string[]) {
    if (!isObject(deep)) return;
    for (const [key, value] of Object.entries(deep)) {
      if (key.startsWith('_') || !isObject(value)) continue;
      const [field, scopedCollection] = key.split(':') as [string, string | undefined];
      const related =
        m2oTarget(scope, field) ?? o2mTarget(scope, field) ?? (isM2a(scope, field) ? (scopedCollection ?? null) : null);
      if (!related) continue;
      // A nested read is limited to the related rows the caller can read: a new scope root.
      walkQuery(
        related,
        {
          filter: value['_filter'],
          sort: value['_sort'],
          aggregate: value['_aggregate'],
          group: value['_groupBy'],
          deep: value,
        },
        [...prefix, key],
      );
    }
  }

  walkQuery(collection, query, []);
  return [...refusals.values()];
}

/** One line per refusal, for the error's reason. */
export function describeRefusals(refusals: readonly Refusal[]): string {
  return refusals
    .map((refusal) => {
      const why =
        refusal.reason === 'concealed'
          ? 'it is concealed'
          : refusal.reason === 'related-rows-not-all-readable'
            ? `not every "${refusal.collection}" row it counts is readable`
            : 'it is not readable on every row it would be compared on';
      return `"${refusal.path}" cannot be used in filter, sort, aggregate or groupBy (field "${refusal.field}" of "${refusal.collection}": ${why})`;
    })
    .join('; ');
}
