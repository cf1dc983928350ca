// Directus's caches purged on writes that bypass its services (decisions 0075 and 0076). Directus empties its
// response cache when a write goes through an ItemsService (CACHE_AUTO_PURGE), and its permissions cache when its
// own services change a role, policy, access or permission; a write in SQL (a DBA, a snapshot applied to a running
// database, our SLA scan, an import, a trigger's side write) empties neither, and neither key changes with it, so a
// cached answer or a cached permission outlived the access it was computed for (decision 0065's gap; the
// permissions cache has no expiry without Redis). A statement trigger on each watched table notifies a channel at
// commit; every instance listens and clears. Pure: the tables to watch, the trigger statements, what a notification
// clears.
export const CACHE_PURGE_CHANNEL = 'groundwork_cache_purge';
export const CACHE_PURGE_TRIGGER = 'groundwork_cache_purge';
export const CACHE_PURGE_FUNCTION = 'groundwork.cache_purge_notify()';

/**
 * Directus's tables that its permissions cache is computed from (roles tree, policies, access links, permissions):
 * watched with the response cache on or off, and a write clears that cache (decision 0076). Not directus_users: a
 * user's role and status are read per request (users/revocation.ts).
 */
export const POLICY_TABLES = [
  'directus_roles',
  'directus_policies',
  'directus_access',
  'directus_permissions',
] as const;

/** Directus's tables that decide who may read what: a change to them purges even with CACHE_AUTO_PURGE off. */
export const ACCESS_TABLES = ['directus_users', ...POLICY_TABLES] as const;

/**
 * Directus's own tables that its API serves and that code writes in SQL (ours: files, in-app notifications,
 * comments, settings). Not activity, revisions, sessions or tokens: every write or login writes those; not presets,
 * which Directus's own CACHE_AUTO_PURGE_IGNORE_LIST skips by default.
 */
export const SYSTEM_DATA_TABLES = [
  'directus_files',
  'directus_folders',
  'directus_notifications',
  'directus_comments',
  'directus_settings',
  'directus_versions',
  'directus_dashboards',
  'directus_panels',
] as const;

/**
 * Columns of directus_users written on every login, token refresh or page change of the app: a purge on them would
 * empty the cache for everyone each time someone signs in. No answer's permissions depend on them.
 */
export const USERS_VOLATILE_COLUMNS = ['last_access', 'last_page'] as const;

/**
 * The tables Directus serves as collections: every base table of the schema but its own and DB_EXCLUDE_TABLES
 * (Directus's schema overview reads them all, with or without a directus_collections row).
 */
export function collectionTables(baseTables: readonly string[], excluded: readonly string[]): string[] {
  return baseTables.filter((table) => !table.startsWith('directus_') && !excluded.includes(table));
}

export interface WatchedTable {
  table: string;
  /** `update of` these columns only; null: any update. */
  updateOf: string[] | null;
}

/**
 * What to watch. With the response cache on: the access tables, the system data tables and every table of a
 * collection; `usersColumns` are directus_users' columns now (a domain adds its own, such as an organization), so
 * the users' trigger names all but the volatile ones. With it off: the policy tables only.
 */
export function watchedTables(input: {
  responseCache: boolean;
  collectionTables: readonly string[];
  usersColumns: readonly string[];
}): WatchedTable[] {
  if (!input.responseCache) return POLICY_TABLES.map((table) => ({ table, updateOf: null }));
  const volatile = new Set<string>(USERS_VOLATILE_COLUMNS);
  const tables = new Map<string, WatchedTable>();
  for (const table of [...ACCESS_TABLES, ...SYSTEM_DATA_TABLES, ...input.collectionTables]) {
    if (tables.has(table)) continue;
    tables.set(
      table,
      table === 'directus_users'
        ? { table, updateOf: input.usersColumns.filter((column) => !volatile.has(column)).sort() }
        : { table, updateOf: null },
    );
  }
  return [...tables.values()];
}

/** A trigger found in the database: its table and its `update of` columns (empty: any update). */
export interface InstalledTrigger {
  table: string;
  columns: string[];
}

/** The watched tables whose trigger is missing or names other columns: only those get DDL (no lock otherwise). */
export function triggersToInstall(
  wanted: readonly WatchedTable[],
  installed: readonly InstalledTrigger[],
): WatchedTable[] {
  const found = new Map(installed.map((trigger) => [trigger.table, [...trigger.columns].sort().join(',')]));
  return wanted.filter((watch) => found.get(watch.table) !== (watch.updateOf ?? []).join(','));
}

/** Installed triggers on tables no longer watched (the response cache turned off, a table left the schema). */
export function triggersToRemove(wanted: readonly WatchedTable[], installed: readonly InstalledTrigger[]): string[] {
  const tables = new Set(wanted.map((watch) => watch.table));
  return installed.filter((trigger) => !tables.has(trigger.table)).map((trigger) => trigger.table);
}

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function purgeFunctionStatements(): string[] {
  return [
    'CREATE SCHEMA IF NOT EXISTS groundwork',
    // At commit, once per transaction and table (PostgreSQL folds equal notifications of one transaction).
    `CREATE OR REPLACE FUNCTION ${CACHE_PURGE_FUNCTION} RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${CACHE_PURGE_CHANNEL}', TG_TABLE_NAME);
        RETURN NULL;
      END $$`,
  ];
}

export function triggerStatement(watch: WatchedTable): string {
  const update = watch.updateOf ? `UPDATE OF ${watch.updateOf.map(quoteIdentifier).join(', ')}` : 'UPDATE';
  return `CREATE OR REPLACE TRIGGER ${CACHE_PURGE_TRIGGER} AFTER INSERT OR ${update} OR DELETE OR TRUNCATE
    ON ${quoteIdentifier(watch.table)} FOR EACH STATEMENT EXECUTE FUNCTION ${CACHE_PURGE_FUNCTION}`;
}

export function dropTriggerStatement(table: string): string {
  return `DROP TRIGGER IF EXISTS ${CACHE_PURGE_TRIGGER} ON ${quoteIdentifier(table)}`;
}

export interface PurgeSettings {
  /** CACHE_ENABLED */
  responseCache: boolean;
  /** CACHE_AUTO_PURGE */
  autoPurge: boolean;
  /** CACHE_AUTO_PURGE_IGNORE_LIST: collections whose writes Directus does not purge for. */
  ignored: readonly string[];
}

/**
 * What a notification about `table` clears: `permissions` (Directus's permissions and schema caches, and the
 * response cache) for a policy table; `responses` for another access change (a stale permission is a leak) and for
 * a data change as Directus's own writes do, when CACHE_AUTO_PURGE is on and the table is not on its ignore list.
 */
export function clearFor(table: string, settings: PurgeSettings): 'permissions' | 'responses' | null {
  if ((POLICY_TABLES as readonly string[]).includes(table)) return 'permissions';
  if (!settings.responseCache) return null;
  if ((ACCESS_TABLES as readonly string[]).includes(table)) return 'responses';
  return settings.autoPurge && !settings.ignored.includes(table) ? 'responses' : null;
}

/**
 * Folds a burst of notifications (one per table of each committed transaction) into one purge at a time: a request
 * while a purge runs asks for one more after it, since that purge may have started before the write committed.
 */
export function coalescedPurge(purge: () => Promise<void>, onError: (error: unknown) => void): () => void {
  let running: Promise<void> | null = null;
  let again = false;
  const run = () => {
    running = purge()
      .catch(onError)
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return () => {
    if (running) again = true;
    else run();
  };
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
}

/**
 * A purge now and one more `settleMs` after the last request. Directus stores an answer after computing it, so a
 * read that began before a write and ends after the purge stores the old answer again (for every purge, Directus's
 * own included: our triggers fire on service writes too). The second purge removes what such reads stored, for
 * reads shorter than `settleMs`. Under steady writes the second purge comes every `settleMs`, not per write.
 */
export function purgeWithSettle(request: () => void, settleMs: number, timers: Timers): () => void {
  let pending = false;
  let since = false;
  const settle = () => {
    timers.set(() => {
      request();
      if (since) {
        since = false;
        settle();
      } else pending = false;
    }, settleMs);
  };
  return () => {
    request();
    if (pending) since = true;
    else {
      pending = true;
      settle();
    }
  };
}
