// Directus's own install, system migrations and schema diff/apply, loaded into this process once: one module load
// (about the cost of one CLI start) instead of a `directus bootstrap` plus a `directus schema apply` per version.
// Directus reads its settings from process.env when first used and keeps one database pool, so a process loads it
// for ONE database: `npm run migrate` is that process (migrator.ts spawns it for callers that are not).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { repoRoot } from '../lib/paths.js';
import { directusDbEnv, type PgConnection } from '../lib/postgres.js';

/** Settings `directus bootstrap` reads when it installs: the first admin and the project name/owner. */
export const BOOTSTRAP_KEYS = ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'ADMIN_TOKEN', 'PROJECT_NAME', 'PROJECT_OWNER'] as const;

type Snapshot = object;
interface SnapshotDiff {
  collections: unknown[];
  fields: unknown[];
  systemFields: unknown[];
  relations: unknown[];
}
type Schema = unknown;

export interface DirectusApi {
  /** Directus's own connection pool; the migrator runs its transactions on it. */
  database: Knex;
  /** `directus bootstrap`: install the system tables and the first admin, or run pending system migrations. */
  bootstrap(): Promise<'installed' | 'upgraded' | 'reinstalled'>;
  /**
   * `directus schema apply` inside the caller's transaction; returns how many collections/fields/relations changed.
   * `part` narrows the database's current schema to what the snapshot speaks for (one snapshot line's part), so
   * the rest is neither changed nor dropped.
   */
  applySchema(trx: Knex.Transaction, snapshot: Snapshot, part?: (current: Snapshot) => Snapshot): Promise<number>;
  close(): Promise<void>;
}

let loadedFor: string | undefined;

const directusDist = path.join(repoRoot, 'node_modules', '@directus', 'api', 'dist');

/** The system migrations this Directus ships (as its migration runner names them), read without loading it. */
export function shippedSystemMigrations(): string[] {
  return readdirSync(path.join(directusDist, 'database', 'migrations'))
    .filter((file) => /^[0-9]+[A-Z]-[^.]+\.(?:js|ts)$/.test(file))
    .map((file) => file.split('-')[0] as string);
}
export const INSTALL_MARKER = 'groundwork_install_pending';

/** One of Directus's own modules, from its installed dist (e.g. `services/index.js`). */
export const directusModule = (file: string) => import(pathToFileURL(path.join(directusDist, file)).href);
const api = directusModule;

/**
 * Settings for Directus loaded into this process, set before its first use: no .env (CONFIG_PATH names a missing
 * file), no extensions, no cache, quiet logs; `extra` adds the database and anything else.
 */
export function setDirectusProcessEnv(extra: Record<string, string>): void {
  const noExtensions = path.join(os.tmpdir(), 'groundwork-no-extensions');
  mkdirSync(noExtensions, { recursive: true });
  Object.assign(process.env, {
    CONFIG_PATH: path.join(noExtensions, 'no-config-file.env'),
    SECRET: process.env.SECRET || randomBytes(32).toString('hex'),
    EXTENSIONS_PATH: noExtensions,
    LOG_LEVEL: 'warn',
    LOG_STYLE: 'raw',
    TELEMETRY: 'false',
    CACHE_ENABLED: 'false',
    CACHE_SCHEMA: 'false',
    ...extra,
  });
}

export async function loadDirectusApi(connection: PgConnection, settings: Record<string, string | undefined>) {
  const key = `${connection.host}:${connection.port}/${connection.database}`;
  if (loadedFor && loadedFor !== key) throw new Error(`Directus is loaded for ${loadedFor} in this process, not ${key}`);
  loadedFor = key;
  setDirectusProcessEnv({
    ...directusDbEnv(connection),
    ...Object.fromEntries(BOOTSTRAP_KEYS.flatMap((name) => (settings[name] ? [[name, settings[name]]] : []))),
  });
  const [db, seeds, systemMigrations, getSchemaModule, createAdminModule, services, snapshotModule, diffModule, applyModule] =
    await Promise.all([
      api('database/index.js'),
      api('database/seeds/run.js'),
      api('database/migrations/run.js'),
      api('utils/get-schema.js'),
      api('utils/create-admin.js'),
      api('services/index.js'),
      api('utils/get-snapshot.js'),
      api('utils/get-snapshot-diff.js'),
      api('utils/apply-diff.js'),
    ]);
  const database = db.getDatabase() as Knex;
  const getSchema = (trx: Knex) => getSchemaModule.getSchema({ database: trx, bypassCache: true }) as Promise<Schema>;

  /**
   * Directus's install is not one transaction (some of its system migrations try a statement and go on when it
   * fails, which aborts a Postgres transaction), so a marker table says an install is under way: a run killed
   * during the install leaves it behind, and the next run drops what that install made (only directus_* tables,
   * on a database that had none) and installs again.
   */
  async function bootstrap(): Promise<'installed' | 'upgraded' | 'reinstalled'> {
    let outcome: 'installed' | 'upgraded' | 'reinstalled' = 'installed';
    if (await database.schema.hasTable(INSTALL_MARKER)) {
      const tables = await database('pg_tables')
        .where({ schemaname: database.raw('current_schema()') })
        .andWhere('tablename', 'like', 'directus\\_%')
        .pluck('tablename');
      await database.raw(`drop table if exists ${tables.map((t) => `"${t as string}"`).concat(INSTALL_MARKER).join(', ')} cascade`);
      outcome = 'reinstalled';
    } else if (await database.schema.hasTable('directus_collections')) {
      await systemMigrations.default(database, 'latest', false);
      return 'upgraded';
    }
    await database.schema.createTable(INSTALL_MARKER, (table) => {
      table.increments('id');
      table.timestamp('started_at').defaultTo(database.fn.now());
    });
    await seeds.default(database);
    await systemMigrations.default(database, 'latest', false);
    const schema = await getSchemaModule.getSchema({ database, bypassCache: true });
    await createAdminModule.createAdmin(schema);
    if (process.env.PROJECT_NAME) {
      await new services.SettingsService({ schema }).upsertSingleton({ project_name: process.env.PROJECT_NAME });
    }
    await database.schema.dropTable(INSTALL_MARKER);
    return outcome;
  }

  async function applySchema(
    trx: Knex.Transaction,
    snapshot: Snapshot,
    part: (current: Snapshot) => Snapshot = (current) => current,
  ): Promise<number> {
    const schema = await getSchema(trx);
    const current = part(await snapshotModule.getSnapshot({ database: trx, schema }));
    const diff = diffModule.getSnapshotDiff(current, snapshot) as SnapshotDiff;
    const changes = diff.collections.length + diff.fields.length + diff.systemFields.length + diff.relations.length;
    if (changes > 0) await applyModule.applyDiff(current, diff, { database: trx, schema });
    return changes;
  }

  return { database, bootstrap, applySchema, close: () => database.destroy() } satisfies DirectusApi;
}
