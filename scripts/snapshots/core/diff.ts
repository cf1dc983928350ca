// What changed between two states, in the words a reviewer uses: "field tickets.priority added".
import { sortKeysDeep, type Json } from './canonical.js';
import { presetKey } from './settings.js';
import { accessKey, permissionKey, type VersionState } from './state.js';

type Row = Record<string, Json>;

export type Area =
  | 'collection'
  | 'field'
  | 'relation'
  | 'system field'
  | 'role'
  | 'policy'
  | 'permission'
  | 'access'
  | 'flow'
  | 'operation'
  | 'dashboard'
  | 'panel'
  | 'data'
  | 'setting'
  | 'preset';

export interface Change {
  kind: 'added' | 'changed' | 'removed';
  area: Area;
  name: string;
  /** Dotted paths of the values that differ, for changed rows. */
  paths?: string[];
}

// Rows read live and rows read from files may list keys in another order; only values count.
const equal = (a: Json, b: Json) => JSON.stringify(sortKeysDeep(a)) === JSON.stringify(sortKeysDeep(b));

/** Leaf paths where two JSON values differ, down to `depth` levels. */
export function changedPaths(before: Json, after: Json, prefix = '', depth = 3): string[] {
  const isObject = (value: Json): value is Record<string, Json> =>
    value !== null && typeof value === 'object' && !Array.isArray(value);
  if (equal(before, after)) return [];
  if (depth === 0 || !isObject(before) || !isObject(after)) return [prefix || '(value)'];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const path = prefix ? `${prefix}.${key}` : key;
    // A key only one side has is a change even when its value is null (a Directus upgrade adding `meta.x: null`).
    if (!(key in before) || !(key in after)) return [path];
    return changedPaths(before[key] ?? null, after[key] ?? null, path, depth - 1);
  });
}

function diffRows(area: Area, before: Row[], after: Row[], key: (row: Row) => string, label: (row: Row) => string) {
  const old = new Map(before.map((row) => [key(row), row]));
  const next = new Map(after.map((row) => [key(row), row]));
  const changes: Change[] = [];
  for (const [id, row] of next) {
    const previous = old.get(id);
    if (!previous) changes.push({ kind: 'added', area, name: label(row) });
    else if (!equal(previous, row)) {
      changes.push({ kind: 'changed', area, name: label(row), paths: changedPaths(previous, row) });
    }
  }
  for (const [id, row] of old) if (!next.has(id)) changes.push({ kind: 'removed', area, name: label(row) });
  return changes;
}

export function diffStates(before: VersionState, after: VersionState): Change[] {
  const names = new Map<string, string>();
  for (const state of [before, after]) {
    for (const row of [...state.access.roles, ...state.access.policies, ...state.flows.flows, ...state.insights.dashboards]) {
      names.set(row.id as string, row.name as string);
    }
  }
  const nameOf = (id: Json | undefined) => (id === null || id === undefined ? 'public' : (names.get(id as string) ?? String(id)));
  const byField = (row: Row) => `${row.collection}.${row.field}`;
  const byId = (row: Row) => row.id as string;
  const dataChanges = [...new Set([...Object.keys(before.data), ...Object.keys(after.data)])].sort().flatMap(
    (collection) =>
      diffRows(
        'data',
        before.data[collection] ?? [],
        after.data[collection] ?? [],
        (row) => JSON.stringify(row.id ?? row),
        (row) => `${collection} ${String(row.id ?? JSON.stringify(row))}`,
      ),
  );
  return [
    ...diffRows(
      'collection',
      before.schema.collections,
      after.schema.collections,
      (row) => row.collection as string,
      (row) => row.collection as string,
    ),
    ...diffRows('field', before.schema.fields, after.schema.fields, byField, byField),
    ...diffRows('system field', before.schema.systemFields, after.schema.systemFields, byField, byField),
    ...diffRows('relation', before.schema.relations, after.schema.relations, byField, (row) =>
      row.related_collection ? `${byField(row)} → ${row.related_collection}` : byField(row),
    ),
    ...diffRows('role', before.access.roles, after.access.roles, byId, (row) => row.name as string),
    ...diffRows('policy', before.access.policies, after.access.policies, byId, (row) => row.name as string),
    ...diffRows(
      'permission',
      before.access.permissions,
      after.access.permissions,
      permissionKey,
      (row) => `${nameOf(row.policy)}: ${row.collection} ${row.action}`,
    ),
    ...diffRows(
      'access',
      before.access.access,
      after.access.access,
      accessKey,
      (row) => `${nameOf(row.role)} → ${nameOf(row.policy)}`,
    ),
    ...diffRows('flow', before.flows.flows, after.flows.flows, byId, (row) => row.name as string),
    ...diffRows(
      'operation',
      before.flows.operations,
      after.flows.operations,
      byId,
      (row) => `${nameOf(row.flow)}: ${row.key}`,
    ),
    ...diffRows('dashboard', before.insights.dashboards, after.insights.dashboards, byId, (row) => row.name as string),
    ...diffRows(
      'panel',
      before.insights.panels,
      after.insights.panels,
      byId,
      (row) => `${nameOf(row.dashboard)}: ${row.name ?? row.type}`,
    ),
    ...dataChanges,
    ...diffRows(
      'setting',
      Object.entries(before.settings.settings).map(([key, value]) => ({ key, value })),
      Object.entries(after.settings.settings).map(([key, value]) => ({ key, value })),
      (row) => row.key as string,
      (row) => row.key as string,
    ),
    ...diffRows(
      'preset',
      before.settings.presets,
      after.settings.presets,
      presetKey,
      (row) => `${row.collection} ${row.bookmark ? `"${row.bookmark}"` : 'default'} for ${row.role ? nameOf(row.role) : 'everyone'}`,
    ),
  ];
}

const SIGN = { added: '+', changed: '~', removed: '-' } as const;

/** One line per change, e.g. `~ field tickets.subject (meta.note)`. */
export function describeChanges(changes: Change[]): string[] {
  return changes.map((change) => {
    const paths = change.paths?.length ? ` (${change.paths.join(', ')})` : '';
    return `${SIGN[change.kind]} ${change.area} ${change.name}${paths}`;
  });
}

/** Counts per area, e.g. `fields: 2 added, 1 changed; flows: 1 added`. */
export function summarizeChanges(changes: Change[]): string {
  const counts = new Map<Area, Record<Change['kind'], number>>();
  for (const change of changes) {
    const entry = counts.get(change.area) ?? { added: 0, changed: 0, removed: 0 };
    entry[change.kind] += 1;
    counts.set(change.area, entry);
  }
  if (counts.size === 0) return 'no changes';
  return [...counts]
    .map(([area, entry]) => {
      const parts = (['added', 'changed', 'removed'] as const)
        .filter((kind) => entry[kind] > 0)
        .map((kind) => `${entry[kind]} ${kind}`);
      return `${area}: ${parts.join(', ')}`;
    })
    .join('; ');
}
