// The database side of snapshots: read the live access, flows and configuration rows; write a version's rows in
// a transaction; keep the ledger.
import knexFactory, { type Knex } from 'knex';
import type { PgConnection } from '../lib/postgres.js';
import type { Json } from './core/canonical.js';
import {
  ACCESS_COLUMNS,
  accessKey,
  findBootstrapAdmin,
  FLOW_COLUMNS,
  JSON_COLUMNS,
  normalizeAccess,
  normalizeData,
  normalizeFlows,
  normalizeInsights,
  DASHBOARD_COLUMNS,
  PANEL_COLUMNS,
  normalizeSchema,
  orderByReferences,
  OPERATION_COLUMNS,
  PERMISSION_COLUMNS,
  permissionKey,
  POLICY_COLUMNS,
  primaryKeyOf,
  resolveBootstrapAdmin,
  ROLE_COLUMNS,
  type VersionState,
} from './core/state.js';
import type { LedgerRow, SnapshotConfig } from './core/version.js';
import type { LineName } from './core/lines.js';
import {
  normalizeSettings,
  PRESET_COLUMNS,
  PRESET_JSON_COLUMNS,
  presetKey,
  resolveSettingsAdmin,
  SETTINGS_JSON_KEYS,
  SETTINGS_KEYS,
  type SettingsState,
} from './core/settings.js';

/** The ledger of each line: which versions a database has, with their checksums. */
export const LEDGERS: Record<LineName, string> = {
  platform: 'groundwork_platform_migrations',
  domain: 'groundwork_migrations',
};
export const LEDGER = LEDGERS.domain;

export function openDatabase(connection: PgConnection): Knex {
  return knexFactory({ client: 'pg', connection: { ...connection }, pool: { min: 0, max: 2 } });
}

/** The live state, around `directusSchema`: Directus's schema snapshot of the same database (directus-cli.ts). */
export async function readLiveState(
  db: Knex,
  directusSchema: Record<string, unknown>,
  config: SnapshotConfig,
): Promise<VersionState> {
  const schema = normalizeSchema(directusSchema);
  const [roles, policies, permissions, access, flows, operations, dashboards, panels] = await Promise.all([
    db('directus_roles').select(),
    db('directus_policies').select(),
    db('directus_permissions').select(),
    db('directus_access').select(),
    db('directus_flows').select(),
    db('directus_operations').select(),
    db('directus_dashboards').select(),
    db('directus_panels').select(),
  ]);
  const settingsRow = ((await db('directus_settings').orderBy('id').first()) as Record<string, unknown>) ?? null;
  const settings = normalizeSettings({
    row: settingsRow,
    defaults: await settingsDefaults(db),
    presets: await db('directus_presets').whereNull('user').select(),
    admin: findBootstrapAdmin(roles, policies),
  });
  const data: VersionState['data'] = {};
  for (const collection of config.dataCollections) {
    const key = primaryKeyOf(schema, collection);
    data[collection] = normalizeData(await db(collection).select(), key);
  }
  return {
    schema,
    access: normalizeAccess({ roles, policies, permissions, access }),
    flows: normalizeFlows({ flows, operations }),
    insights: normalizeInsights({ dashboards, panels }),
    data,
    settings,
  };
}

/** The settings row Directus would start from: inserted with column defaults in a transaction that is rolled back. */
async function settingsDefaults(db: Knex): Promise<Record<string, unknown>> {
  let defaults: Record<string, unknown> = {};
  await db
    .transaction(async (trx) => {
      const [row] = (await trx.raw('insert into directus_settings default values returning *')).rows as Array<
        Record<string, unknown>
      >;
      defaults = row ?? {};
      throw new RollbackDefaults();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RollbackDefaults)) throw error;
    });
  return defaults;
}

class RollbackDefaults extends Error {}

/**
 * Makes the allow-listed settings and the shared presets match the version: values it holds are set, every other
 * allow-listed column goes back to its default; shared presets are matched by (role, collection, bookmark).
 */
async function writeSettings(trx: Knex.Transaction, wanted: SettingsState): Promise<void> {
  const values = Object.fromEntries(
    SETTINGS_KEYS.map((key) => {
      if (!(key in wanted.settings)) return [key, trx.raw('DEFAULT')];
      const value = wanted.settings[key] ?? null;
      return [key, SETTINGS_JSON_KEYS.has(key) && value !== null ? JSON.stringify(value) : value];
    }),
  );
  const existing = await trx('directus_settings').orderBy('id').first('id');
  if (existing) await trx('directus_settings').where({ id: existing.id }).update(values);
  else if (Object.keys(wanted.settings).length > 0) await trx('directus_settings').insert(values);

  const rows = new Map(wanted.presets.map((row) => [presetKey(row), row]));
  const toDbPreset = (row: Row) =>
    Object.fromEntries(
      PRESET_COLUMNS.map((column) => {
        const value = row[column] ?? null;
        return [column, PRESET_JSON_COLUMNS.has(column) && value !== null ? JSON.stringify(value) : value];
      }),
    );
  for (const preset of await trx('directus_presets').whereNull('user').select()) {
    const row = rows.get(presetKey(preset as Row));
    if (!row) await trx('directus_presets').where({ id: preset.id }).delete();
    else {
      await trx('directus_presets').where({ id: preset.id }).update(toDbPreset(row));
      rows.delete(presetKey(preset as Row));
    }
  }
  for (const row of rows.values()) await trx('directus_presets').insert({ ...toDbPreset(row), user: null });
}

type Row = Record<string, Json>;

/** Values as Postgres takes them: json columns as JSON text, so an array is not taken for a Postgres array. */
function toDb(row: Row, columns: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    columns.map((column) => {
      const value = row[column] ?? null;
      return [column, JSON_COLUMNS.has(column) && value !== null ? JSON.stringify(value) : value];
    }),
  );
}

/**
 * A config row's value as Postgres takes it. Values that are objects or arrays come from json columns (the files
 * hold JSON): written as JSON text, since node-postgres would send an array as a Postgres array literal.
 */
function toDbValue(value: Json): unknown {
  return value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
}

async function upsertById(trx: Knex.Transaction, table: string, rows: Row[], columns: readonly string[]) {
  for (const row of rows) {
    await trx(table)
      .insert(toDb(row, columns))
      .onConflict('id')
      .merge(columns.filter((column) => column !== 'id'));
  }
}

/** Makes the access, flows and configuration rows match the version: upsert what it holds, delete the rest. */
export async function writeConfiguration(trx: Knex.Transaction, state: VersionState): Promise<void> {
  const admin = findBootstrapAdmin(await trx('directus_roles').select(), await trx('directus_policies').select());
  const access = resolveBootstrapAdmin(state.access, admin);
  const keepRoles = [...access.roles.map((row) => row.id as string), ...(admin.role ? [admin.role] : [])];
  const keepPolicies = [...access.policies.map((row) => row.id as string), ...(admin.policy ? [admin.policy] : [])];

  // Roles: parents are set after every role exists, since a parent may come later in the file.
  await upsertById(
    trx,
    'directus_roles',
    access.roles.map((row) => ({ ...row, parent: null })),
    ROLE_COLUMNS,
  );
  for (const row of access.roles) await trx('directus_roles').where({ id: row.id }).update({ parent: row.parent });
  await upsertById(trx, 'directus_policies', access.policies, POLICY_COLUMNS);

  // Links: only role and public links are configuration; links to users stay as they are.
  const wantedLinks = new Map(access.access.map((row) => [accessKey(row), row]));
  for (const link of await trx('directus_access').whereNull('user').select()) {
    const wanted = wantedLinks.get(accessKey(link));
    if (!wanted) await trx('directus_access').where({ id: link.id }).delete();
    else {
      await trx('directus_access').where({ id: link.id }).update({ sort: wanted.sort });
      wantedLinks.delete(accessKey(link));
    }
  }
  for (const row of wantedLinks.values()) {
    await trx('directus_access').insert({ id: crypto.randomUUID(), ...toDb(row, ACCESS_COLUMNS), user: null });
  }

  // Permissions have serial ids that differ per database: (policy, collection, action) is their identity.
  const wantedPermissions = new Map(access.permissions.map((row) => [permissionKey(row), row]));
  for (const permission of await trx('directus_permissions').select()) {
    const wanted = wantedPermissions.get(permissionKey(permission));
    if (!wanted) await trx('directus_permissions').where({ id: permission.id }).delete();
    else {
      await trx('directus_permissions').where({ id: permission.id }).update(toDb(wanted, PERMISSION_COLUMNS));
      wantedPermissions.delete(permissionKey(permission));
    }
  }
  for (const row of wantedPermissions.values()) await trx('directus_permissions').insert(toDb(row, PERMISSION_COLUMNS));

  await trx('directus_roles').whereNotIn('id', keepRoles).delete();
  await trx('directus_policies').whereNotIn('id', keepPolicies).delete();

  // Flows: links between operations are unique and refer to rows of the same set, so they are cleared first and
  // set again once every row exists.
  await trx('directus_flows').update({ operation: null });
  await trx('directus_operations').update({ resolve: null, reject: null });
  const flowIds = state.flows.flows.map((row) => row.id as string);
  const operationIds = state.flows.operations.map((row) => row.id as string);
  await trx('directus_operations').whereNotIn('id', operationIds).delete();
  await trx('directus_flows').whereNotIn('id', flowIds).delete();
  await upsertById(
    trx,
    'directus_flows',
    state.flows.flows.map((row) => ({ ...row, operation: null })),
    FLOW_COLUMNS,
  );
  await upsertById(
    trx,
    'directus_operations',
    state.flows.operations.map((row) => ({ ...row, resolve: null, reject: null })),
    OPERATION_COLUMNS,
  );
  for (const row of state.flows.operations) {
    await trx('directus_operations').where({ id: row.id }).update({ resolve: row.resolve, reject: row.reject });
  }
  for (const row of state.flows.flows) {
    await trx('directus_flows').where({ id: row.id }).update({ operation: row.operation });
  }

  await writeSettings(trx, resolveSettingsAdmin(state.settings, admin));
  await writeInsights(trx, state.insights);

  // Stale rows go first, dependents before what they refer to; then upserts in the opposite order.
  const order = orderByReferences(Object.keys(state.data), state.schema.relations);
  for (const collection of [...order].reverse()) {
    const rows = state.data[collection] ?? [];
    const key = primaryKeyOf(state.schema, collection);
    await trx(collection)
      .whereNotIn(
        key,
        rows.map((row) => row[key] as string),
      )
      .delete();
  }
  for (const collection of order) {
    const rows = state.data[collection] ?? [];
    const key = primaryKeyOf(state.schema, collection);
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    for (const row of rows) {
      await trx(collection)
        .insert(Object.fromEntries(columns.map((column) => [column, toDbValue(row[column] ?? null)])))
        .onConflict(key)
        .merge();
    }
  }
}


/**
 * The shipped dashboards and their panels, upserted by their fixed ids. A dashboard someone made in the app has a
 * creator (user_created) and stays; one the snapshot wrote has none, and goes when a version no longer lists it (its
 * panels with it, by the foreign key's cascade). Panels on a shipped dashboard are the version's.
 */
async function writeInsights(trx: Knex.Transaction, insights: VersionState['insights']): Promise<void> {
  const dashboardIds = insights.dashboards.map((row) => row.id as string);
  const panelIds = insights.panels.map((row) => row.id as string);
  await trx('directus_dashboards').whereNull('user_created').whereNotIn('id', dashboardIds).delete();
  await trx('directus_panels').whereIn('dashboard', dashboardIds).whereNotIn('id', panelIds).delete();
  await upsertById(trx, 'directus_dashboards', insights.dashboards, DASHBOARD_COLUMNS);
  await upsertById(trx, 'directus_panels', insights.panels, PANEL_COLUMNS);
}

export async function ensureLedger(db: Knex, table = LEDGER): Promise<void> {
  await db.raw(`create table if not exists ${table} (
    version integer primary key,
    name text not null,
    checksum text not null,
    files jsonb,
    applied_at timestamptz not null default now(),
    duration_ms integer not null
  )`);
}

export async function readLedger(db: Knex, table = LEDGER): Promise<LedgerRow[]> {
  const exists = await db.schema.hasTable(table);
  if (!exists) return [];
  const rows = await db(table).select('version', 'name', 'checksum', 'files').orderBy('version');
  return rows as LedgerRow[];
}
