// The desired state a version holds, and how rows read from a database become that state: volatile values
// dropped, database-specific ids replaced by stable identities, rows in a fixed order.
import { sortKeysDeep, sortRows, type Json } from './canonical.js';
import type { SettingsState } from './settings.js';

type Row = Record<string, Json>;

export interface SchemaSnapshot {
  version: number;
  collections: Row[];
  fields: Row[];
  systemFields: Row[];
  relations: Row[];
}

export interface AccessState {
  roles: Row[];
  policies: Row[];
  permissions: Row[];
  access: Row[];
}

export interface FlowsState {
  flows: Row[];
  operations: Row[];
}

/** Insights dashboards and their panels the domain ships (insights.json; absent = none). */
export interface InsightsState {
  dashboards: Row[];
  panels: Row[];
}

export const EMPTY_INSIGHTS: InsightsState = { dashboards: [], panels: [] };

export interface VersionState {
  schema: SchemaSnapshot;
  access: AccessState;
  flows: FlowsState;
  insights: InsightsState;
  /** Rows of the configuration collections named in snapshots/config.json, by collection. */
  data: Record<string, Row[]>;
  /** Allow-listed project settings and shared presets (settings.json; absent = Directus's defaults). */
  settings: SettingsState;
}

/**
 * `directus bootstrap` creates the Administrator role and policy with random ids in every database, so a version
 * names them by this token and migrate resolves it to the local ids.
 */
export const BOOTSTRAP_ADMIN = '@administrator';

/** Directus's fixed id for the Public policy (migration 20240806A); the same in every database. */
export const PUBLIC_POLICY_ID = 'abf8a154-5b1c-4a46-ac9c-7300570f4f17';

export const ROLE_COLUMNS = ['id', 'name', 'icon', 'description', 'parent'] as const;
export const POLICY_COLUMNS = [
  'id',
  'name',
  'icon',
  'description',
  'ip_access',
  'enforce_tfa',
  'admin_access',
  'app_access',
] as const;
export const PERMISSION_COLUMNS = ['policy', 'collection', 'action', 'permissions', 'validation', 'presets', 'fields'];
export const ACCESS_COLUMNS = ['role', 'policy', 'sort'] as const;
export const FLOW_COLUMNS = [
  'id',
  'name',
  'icon',
  'color',
  'description',
  'status',
  'trigger',
  'accountability',
  'options',
  'operation',
] as const;
export const OPERATION_COLUMNS = [
  'id',
  'name',
  'key',
  'type',
  'position_x',
  'position_y',
  'options',
  'resolve',
  'reject',
  'flow',
] as const;
export const DASHBOARD_COLUMNS = ['id', 'name', 'icon', 'note', 'color'] as const;
export const PANEL_COLUMNS = [
  'id',
  'dashboard',
  'name',
  'icon',
  'color',
  'show_header',
  'note',
  'type',
  'position_x',
  'position_y',
  'width',
  'height',
  'options',
] as const;
/** Columns Postgres stores as json: written as JSON text so arrays are not taken for Postgres arrays. */
export const JSON_COLUMNS = new Set(['permissions', 'validation', 'presets', 'options']);

const pick = (row: Record<string, unknown>, columns: readonly string[]): Row =>
  Object.fromEntries(columns.map((column) => [column, sortKeysDeep(row[column] ?? null)]));

export function normalizeSchema(raw: Record<string, unknown>): SchemaSnapshot {
  const list = (key: string) => ((raw[key] as Record<string, unknown>[] | undefined) ?? []).map(sortKeysDeep) as Row[];
  const byField = (row: Row) => [row.collection as string, row.field as string];
  // `directus` (its version) and `vendor` say where it was captured, not what the schema is.
  return {
    version: Number(raw.version ?? 1),
    collections: sortRows(list('collections'), (row) => [row.collection as string]),
    fields: sortRows(list('fields'), byField),
    systemFields: sortRows(list('systemFields'), byField),
    relations: sortRows(list('relations'), byField),
  };
}

export interface BootstrapAdmin {
  role: string | null;
  policy: string | null;
}

/** The role and policy `directus bootstrap` made, recognised by the values Directus gives them. */
export function findBootstrapAdmin(
  roles: Array<Record<string, unknown>>,
  policies: Array<Record<string, unknown>>,
): BootstrapAdmin {
  const isBootstrap = (row: Record<string, unknown>) =>
    row.name === 'Administrator' && row.description === '$t:admin_description';
  const role = sortRows(roles.filter(isBootstrap), (row) => [row.id as string])[0];
  const policy = sortRows(
    policies.filter((row) => isBootstrap(row) && row.admin_access === true),
    (row) => [row.id as string],
  )[0];
  return { role: (role?.id as string) ?? null, policy: (policy?.id as string) ?? null };
}

export interface AccessRows {
  roles: Array<Record<string, unknown>>;
  policies: Array<Record<string, unknown>>;
  permissions: Array<Record<string, unknown>>;
  access: Array<Record<string, unknown>>;
}

export function normalizeAccess(raw: AccessRows): AccessState {
  const admin = findBootstrapAdmin(raw.roles, raw.policies);
  const role = (id: unknown) => (id && id === admin.role ? BOOTSTRAP_ADMIN : ((id as string | null) ?? null));
  const policy = (id: unknown) => (id && id === admin.policy ? BOOTSTRAP_ADMIN : (id as string));

  const roles = raw.roles
    .filter((row) => row.id !== admin.role)
    .map((row): Row => ({ ...pick(row, ROLE_COLUMNS), parent: role(row.parent) }));
  const policies = raw.policies.filter((row) => row.id !== admin.policy).map((row) => pick(row, POLICY_COLUMNS));
  const permissions = raw.permissions.map((row): Row => ({ ...pick(row, PERMISSION_COLUMNS), policy: policy(row.policy) }));
  const seen = new Set<string>();
  for (const row of permissions) {
    const key = permissionKey(row);
    if (seen.has(key)) throw new Error(`two permissions for ${key}: merge them in the admin app first`);
    seen.add(key);
  }
  // Links to users are per environment (users are not configuration), so only role and public links are kept.
  const access = raw.access
    .filter((row) => row.user === null || row.user === undefined)
    .map((row): Row => ({ ...pick(row, ACCESS_COLUMNS), role: role(row.role), policy: policy(row.policy) }));
  return {
    roles: sortRows(roles, (row) => [row.id as string]),
    policies: sortRows(policies, (row) => [row.id as string]),
    permissions: sortRows(permissions, (row) => [row.policy as string, row.collection as string, row.action as string]),
    access: sortRows(access, (row) => [row.role as string | null, row.policy as string]),
  };
}

export const permissionKey = (row: Row) => `${row.policy}/${row.collection}/${row.action}`;
export const accessKey = (row: Row) => `${row.role ?? 'public'}/${row.policy}`;

/** Replaces the bootstrap-admin token with this database's ids; fails when the token is used but none exists. */
export function resolveBootstrapAdmin(state: AccessState, admin: BootstrapAdmin): AccessState {
  const swap = (value: Json, id: string | null): Json => {
    if (value !== BOOTSTRAP_ADMIN) return value;
    if (!id) throw new Error('this version refers to the Administrator role or policy, which the database lacks');
    return id;
  };
  return {
    roles: state.roles.map((row) => ({ ...row, parent: swap(row.parent ?? null, admin.role) })),
    policies: state.policies,
    permissions: state.permissions.map((row) => ({ ...row, policy: swap(row.policy ?? null, admin.policy) })),
    access: state.access.map((row) => ({
      ...row,
      role: swap(row.role ?? null, admin.role),
      policy: swap(row.policy ?? null, admin.policy),
    })),
  };
}

export function normalizeFlows(raw: {
  flows: Array<Record<string, unknown>>;
  operations: Array<Record<string, unknown>>;
}): FlowsState {
  // date_created and user_created differ per database; the user may not even exist elsewhere.
  return {
    flows: sortRows(
      raw.flows.map((row) => pick(row, FLOW_COLUMNS)),
      (row) => [row.id as string],
    ),
    operations: sortRows(
      raw.operations.map((row) => pick(row, OPERATION_COLUMNS)),
      (row) => [row.flow as string, row.id as string],
    ),
  };
}

export function normalizeInsights(raw: {
  dashboards: Array<Record<string, unknown>>;
  panels: Array<Record<string, unknown>>;
}): InsightsState {
  // As for flows: date_created and user_created differ per database.
  return {
    dashboards: sortRows(
      raw.dashboards.map((row) => pick(row, DASHBOARD_COLUMNS)),
      (row) => [row.id as string],
    ),
    panels: sortRows(
      raw.panels.map((row) => pick(row, PANEL_COLUMNS)),
      (row) => [row.dashboard as string, row.id as string],
    ),
  };
}

/** The primary key field of a collection, from the schema snapshot. */
export function primaryKeyOf(schema: SchemaSnapshot, collection: string): string {
  const field = schema.fields.find(
    (row) => row.collection === collection && (row.schema as Row | null)?.is_primary_key === true,
  );
  if (!field) throw new Error(`configuration collection "${collection}" is not in the schema or has no primary key`);
  return field.field as string;
}

export function normalizeData(rows: Array<Record<string, unknown>>, primaryKey: string): Row[] {
  return sortRows(
    rows.map((row) => sortKeysDeep(row) as Row),
    (row) => [row[primaryKey] as string | number],
  );
}

/**
 * Config collections in an order that satisfies their foreign keys: a collection comes after the ones it refers
 * to (insert in this order, delete in reverse). Alphabetical otherwise, so the order is stable; a cycle keeps the
 * remaining collections alphabetical.
 */
export function orderByReferences(collections: string[], relations: Row[]): string[] {
  const wanted = new Set(collections);
  const dependsOn = new Map(collections.map((collection) => [collection, new Set<string>()]));
  for (const relation of relations) {
    const from = relation.collection as string;
    const to = relation.related_collection as string | null;
    if (to && from !== to && wanted.has(from) && wanted.has(to)) dependsOn.get(from)!.add(to);
  }
  const ordered: string[] = [];
  const remaining = [...collections].sort();
  while (remaining.length > 0) {
    const index = remaining.findIndex((collection) => [...dependsOn.get(collection)!].every((d) => ordered.includes(d)));
    ordered.push(...remaining.splice(index === -1 ? 0 : index, 1));
  }
  return ordered;
}
