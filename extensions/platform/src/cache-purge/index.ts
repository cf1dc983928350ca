// Hook adapter of the cache purger (decisions 0075 and 0076): at boot it puts a statement trigger on every watched
// table that lacks one and drops those no longer watched (core/purge.ts), listens on the purge channel and clears
// Directus's caches when a watched table was written, whoever wrote it: its permissions cache after a policy table
// (always), its response cache after the rest (with CACHE_ENABLED). A collection made later in the app gets its
// trigger when it is created.
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { Knex } from 'knex';
import { redisTarget, type PlatformEnv } from '../shared/env.js';
import { FULL_ACCESS } from '../shared/flow-accountability.js';
import { installUnderLock } from '../shared/install.js';
import { listen } from '../shared/pg-listen.js';
import {
  CACHE_PURGE_CHANNEL,
  CACHE_PURGE_FUNCTION,
  CACHE_PURGE_TRIGGER,
  clearFor,
  collectionTables,
  coalescedPurge,
  dropTriggerStatement,
  purgeFunctionStatements,
  purgeWithSettle,
  triggerStatement,
  triggersToInstall,
  triggersToRemove,
  watchedTables,
  type InstalledTrigger,
} from './core/purge.js';

const truthy = (value: unknown) => value === true || value === 'true';
const list = (value: unknown) =>
  (Array.isArray(value) ? value : String(value ?? '').split(',')).map((item) => String(item).trim()).filter(Boolean);

/** Waits this long for a table's lock at boot (a long import holds it), so a boot never queues requests behind DDL. */
const LOCK_TIMEOUT = '5s';

async function installedTriggers(database: Knex): Promise<InstalledTrigger[]> {
  const { rows } = await database.raw<{ rows: Array<{ table: string; columns: string[] | null }> }>(
    `SELECT c.relname AS "table",
            array(SELECT a.attname::text FROM unnest(t.tgattr::int2[]) AS k(attnum)
                  JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum) AS columns
       FROM pg_trigger t
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE t.tgname = ? AND n.nspname = current_schema()`,
    [CACHE_PURGE_TRIGGER],
  );
  return rows.map((row) => ({ table: row.table, columns: row.columns ?? [] }));
}

/** The base tables of the schema (views take no such trigger) and directus_users' columns, as they are now. */
async function currentSchema(database: Knex, excluded: readonly string[]) {
  const { rows: tables } = await database.raw<{ rows: Array<{ name: string }> }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const { rows: columns } = await database.raw<{ rows: Array<{ name: string }> }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'directus_users'`,
  );
  return {
    collectionTables: collectionTables(
      tables.map((row) => row.name),
      excluded,
    ),
    usersColumns: columns.map((row) => row.name),
  };
}

async function purgeFunctionExists(database: Knex): Promise<boolean> {
  const { rows } = await database.raw<{ rows: Array<{ present: boolean }> }>(
    `SELECT to_regprocedure('${CACHE_PURGE_FUNCTION}') IS NOT NULL AS present`,
  );
  return rows[0]?.present === true;
}

/** Adds the missing triggers and drops those on tables no longer watched; answers how many it changed. */
export async function installPurgeTriggers(
  database: Knex,
  options: { responseCache: boolean; excluded: readonly string[] },
): Promise<number> {
  // With the response cache off only the policy tables are watched: the schema's tables need not be read.
  const schema = options.responseCache
    ? await currentSchema(database, options.excluded)
    : { collectionTables: [], usersColumns: [] };
  const wanted = watchedTables({ responseCache: options.responseCache, ...schema });
  const installed = await installedTriggers(database);
  const missing = triggersToInstall(wanted, installed);
  const extra = triggersToRemove(wanted, installed);
  if (missing.length === 0 && extra.length === 0 && (await purgeFunctionExists(database))) return 0;
  await installUnderLock(database, [
    `SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`,
    ...purgeFunctionStatements(),
    ...extra.map(dropTriggerStatement),
    ...missing.map(triggerStatement),
  ]);
  return missing.length + extra.length;
}

export function registerCachePurge(
  { init, action }: RegisterFunctions,
  context: HookExtensionContext,
  config: PlatformEnv,
): void {
  const { env, database, services, getSchema } = context;
  const logger = context.logger.child({ capability: 'cache-purge' });
  const responseCache = truthy(env['CACHE_ENABLED']);
  const excluded = list(env['DB_EXCLUDE_TABLES']);
  const settings = {
    responseCache,
    autoPurge: truthy(env['CACHE_AUTO_PURGE']),
    ignored: list(env['CACHE_AUTO_PURGE_IGNORE_LIST']),
  };
  // A purge acts for no user and reveals nothing; UtilsService.clearCache refuses any accountability but an admin's.
  // `system` clears Directus's permissions cache and schema cache as its own policy writes do (clearSystemCache),
  // and the response cache with them.
  const clear = (system: boolean) => async () => {
    const utils = new services.UtilsService({ knex: database, schema: await getSchema(), accountability: FULL_ACCESS });
    await utils.clearCache({ system });
  };
  const settleMs = config.GROUNDWORK_CACHE_PURGE_SETTLE_MS;
  const onError = (error: unknown) => logger.error({ err: error }, 'cache: purge failed');
  const withSettle = (now: () => void) =>
    settleMs > 0 ? purgeWithSettle(now, settleMs, { set: (callback, ms) => setTimeout(callback, ms).unref() }) : now;
  const permissionsNow = coalescedPurge(clear(true), onError);
  const purge = {
    permissions: withSettle(permissionsNow),
    responses: withSettle(coalescedPurge(clear(false), onError)),
  };
  // Redis keeps both caches across restarts (the permissions cache's Redis level, a Redis response store): what
  // was written in SQL while no instance listened is cleared before the first request. Process memory starts empty.
  const sharedStore = redisTarget(config) !== null || env['CACHE_STORE'] === 'redis';

  init('app.after', async () => {
    try {
      const changed = await installPurgeTriggers(database, { responseCache, excluded });
      if (changed > 0) logger.info({ tables: changed }, 'cache: purge triggers installed or removed');
    } catch (error) {
      // Serving on is better than refusing to start; SQL writes then wait for CACHE_TTL or a restart.
      logger.error({ err: error }, 'cache: could not install the purge triggers; SQL writes will not purge');
    }
    const listener = listen({
      database,
      channel: CACHE_PURGE_CHANNEL,
      onNotify: (table) => {
        const what = clearFor(table, settings);
        if (what) purge[what]();
      },
      // After a lost connection, writes committed meanwhile were never heard: clear once.
      onListening: (again) => {
        if (again) permissionsNow();
      },
      logger,
      label: 'cache',
      retryMs: 1000,
    });
    await listener.ready;
    // Bounded: a boot with Redis down serves on (decision 0034) rather than wait for it here.
    if (sharedStore)
      await Promise.race([clear(true)().catch(onError), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  });

  // A collection created in the app is a new table; Directus's own write of it has already purged.
  if (responseCache)
    action('collections.create', async () => {
      try {
        await installPurgeTriggers(database, { responseCache, excluded });
      } catch (error) {
        logger.error({ err: error }, 'cache: could not add the purge trigger of a new collection');
      }
    });
}
