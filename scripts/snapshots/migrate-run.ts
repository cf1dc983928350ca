// The work of `npm run migrate`, in this process: bootstrap Directus if needed, then apply every pending version
// in the steps core/plan.ts chooses, one transaction per step (schema, rows, data migrations and ledger rows
// together), so a failed or killed run leaves the database at the last committed step and a rerun finishes.
// Loads Directus for one database (directus-api.ts): call it once per process; migrator.ts spawns such a process.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { INSTALL_MARKER, loadDirectusApi, shippedSystemMigrations, type DirectusApi } from './directus-api.js';
import { ensureLedger, LEDGER, openDatabase, readLedger, writeConfiguration } from './database.js';
import { planSteps, type MigrationStep } from './core/plan.js';
import { DATA_MIGRATION, parseState, planMigration, type VersionOnDisk } from './core/version.js';
import type { VersionState } from './core/state.js';
import { labelOf, listVersions, readVersionFiles } from './store.js';
import { MigrationError } from './migrator.js';

export interface RunOptions {
  connection: PgConnection;
  dir: string;
  dryRun?: boolean;
  /** ADMIN_EMAIL, ADMIN_PASSWORD, ... for the first admin when the database is empty (as `directus bootstrap`). */
  settings: Record<string, string | undefined>;
  log: (message: string) => void;
}

export interface MigrateResult {
  bootstrapped: 'installed' | 'reinstalled' | 'upgraded' | 'skipped';
  applied: string[];
  /** How many times a schema was applied (a step whose schema already matched counts too). */
  schemaApplies: number;
  durationMs: number;
}


interface DataMigration {
  up(context: { database: Knex.Transaction }): Promise<void>;
}

/** The hashes of a version's state files besides its schema (access, flows, settings, config rows). */
function stateFilesKey(version: VersionOnDisk): string {
  const stateFiles = Object.keys(version.hashes).filter((file) => file !== 'schema.json' && !file.endsWith('.ts'));
  return stateFiles.map((file) => `${file}:${version.hashes[file]}`).join('\n');
}

async function loadDataMigration(file: string, folder: string): Promise<DataMigration> {
  const module = (await import(pathToFileURL(file).href)) as Partial<DataMigration>;
  if (typeof module.up !== 'function') throw new Error(`${folder}/${DATA_MIGRATION} does not export up({ database })`);
  return module as DataMigration;
}

export async function runMigrations(options: RunOptions): Promise<MigrateResult> {
  const { connection, dir, log } = options;
  const label = labelOf(dir);
  const started = Date.now();
  // One migrator at a time per database: instances starting together wait here instead of racing (bootstrap too).
  return withClient(connection, async (lockClient) => {
    await lockClient.query(`select pg_advisory_lock(hashtext('${LEDGER}'))`);
    // Loading Directus takes seconds: a database that needs nothing is answered without it. (On an error, the
    // lock goes with the connection.)
    const upToDate = await nothingToDo();
    if (upToDate) {
      log(`nothing to do: all ${upToDate} version(s) in ${label} are applied`);
      return { bootstrapped: 'skipped', applied: [], schemaApplies: 0, durationMs: Date.now() - started };
    }
    // A dry run only reads (the ledger and the files): no Directus needed.
    if (options.dryRun) {
      const db = openDatabase(connection);
      try {
        return await run(db, undefined);
      } finally {
        await db.destroy();
      }
    }
    const loadStarted = Date.now();
    const directus = await loadDirectusApi(connection, options.settings);
    log(`loaded Directus in ${Date.now() - loadStarted} ms`);
    try {
      return await run(directus.database, directus);
    } finally {
      await directus.close();
      await lockClient.query(`select pg_advisory_unlock(hashtext('${LEDGER}'))`);
    }
  });

  /** How many versions are applied when Directus is installed, its system migrations done and no version pending; else 0. */
  async function nothingToDo(): Promise<number> {
    const db = openDatabase(connection);
    try {
      if (!(await db.schema.hasTable('directus_collections')) || (await db.schema.hasTable(INSTALL_MARKER))) return 0;
      const done = new Set(await db('directus_migrations').pluck('version'));
      if (shippedSystemMigrations().some((version) => !done.has(version))) return 0;
      const plan = planMigration(listVersions(dir), await readLedger(db), label);
      if (!plan.ok) throw new MigrationError(`refusing to migrate:\n  ${plan.problems.join('\n  ')}`);
      return plan.pending.length === 0 ? plan.applied : 0;
    } finally {
      await db.destroy();
    }
  }

  /** `directus` is undefined in a dry run, which changes nothing. */
  async function run(db: Knex, directus: DirectusApi | undefined): Promise<MigrateResult> {
    const result: MigrateResult = { bootstrapped: 'skipped', applied: [], schemaApplies: 0, durationMs: 0 };
    const installed = await db.schema.hasTable('directus_collections');
    if (!directus) {
      if (!installed) log('would install Directus system tables and the first admin (empty database)');
    } else {
      if (!installed) log('empty database: installing Directus system tables and the first admin (as directus bootstrap)');
      const bootstrapStarted = Date.now();
      result.bootstrapped = await directus.bootstrap();
      if (result.bootstrapped === 'reinstalled') log('an earlier install was interrupted: removed its tables and installed again');
      if (!installed) log(`installed Directus in ${Date.now() - bootstrapStarted} ms`);
    }

    const versions = listVersions(dir);
    const ledger = await readLedger(db);
    const plan = planMigration(versions, ledger, label);
    if (!plan.ok) throw new MigrationError(`refusing to migrate:\n  ${plan.problems.join('\n  ')}`);
    if (plan.pending.length === 0) {
      log(`nothing to do: all ${plan.applied} version(s) in ${label} are applied`);
      result.durationMs = Date.now() - started;
      return result;
    }
    log(`${plan.pending.length} pending version(s) in ${label}: ${plan.pending.map((v) => v.folder).join(', ')}`);

    const states = new Map<string, VersionState>();
    const stateOf = (folder: string) => {
      let state = states.get(folder);
      if (!state) {
        state = parseState(readVersionFiles(dir, folder), `${label}/${folder}`);
        states.set(folder, state);
      }
      return state;
    };
    const byFolder = new Map(plan.pending.map((version) => [version.folder, version]));
    let steps: MigrationStep[];
    try {
      steps = planSteps(
        plan.pending.map((version) => ({
          folder: version.folder,
          hasDataMigration: version.hashes[DATA_MIGRATION] !== undefined,
          schema: stateOf(version.folder).schema,
        })),
      );
    } catch (error) {
      throw new MigrationError(`cannot read the pending versions: ${(error as Error).message}`);
    }
    for (const step of steps) {
      if (!directus) {
        log(describeStep(step));
        continue;
      }
      await applyStep(step, directus);
      result.schemaApplies += 1;
      result.applied.push(...step.versions.map((version) => version.folder));
    }
    if (!directus) log('dry run: nothing was changed');
    result.durationMs = Date.now() - started;
    return result;

    function describeStep(step: MigrationStep): string {
      const parts = step.versions.map((version) => {
        const what = [
          ...(version.writeState ? ['state'] : []),
          ...(version.runDataMigration ? [`${DATA_MIGRATION} up`] : []),
          'ledger',
        ];
        return `would apply ${version.folder}: ${what.join(' + ')}`;
      });
      return [`one transaction: schema of ${step.schemaOf}`, ...parts].join('\n  ');
    }

    async function applyStep(step: MigrationStep, directus: DirectusApi): Promise<void> {
      const stepStarted = Date.now();
      let current = `schema of ${step.schemaOf}`;
      let folder = step.schemaOf;
      try {
        await db.transaction(async (trx) => {
          log(`applying the schema of ${step.schemaOf}`);
          const changes = await directus.applySchema(trx, stateOf(step.schemaOf).schema);
          log(`schema of ${step.schemaOf}: ${changes} change(s) in ${Date.now() - stepStarted} ms`);
          await ensureLedger(trx);
          // A state equal to the one last written here is not written again: it was captured after the data
          // migrations since, so they left its rows as they are.
          let written: string | undefined;
          for (const version of step.versions) {
            folder = version.folder;
            const versionStarted = Date.now();
            const stateKey = stateFilesKey(byFolder.get(version.folder) as VersionOnDisk);
            if (version.writeState && stateKey !== written) {
              current = 'access, flows, settings and config data';
              await writeConfiguration(trx, stateOf(version.folder));
              written = stateKey;
            }
            if (version.runDataMigration) {
              current = `data migration (${DATA_MIGRATION} up)`;
              const file = path.join(dir, version.folder, DATA_MIGRATION);
              await (await loadDataMigration(file, version.folder)).up({ database: trx });
            }
            current = 'ledger';
            const onDisk = byFolder.get(version.folder) as VersionOnDisk;
            await trx(LEDGER).insert({
              version: onDisk.version,
              name: onDisk.name,
              checksum: onDisk.checksum,
              files: JSON.stringify(onDisk.hashes),
              duration_ms: Date.now() - versionStarted,
            });
          }
        });
      } catch (error) {
        throw new MigrationError(
          `${folder} failed at step "${current}"; this transaction (${step.versions.map((v) => v.folder).join(', ')}) ` +
            `was rolled back, earlier versions stay applied:\n  ${(error as Error).message}`,
        );
      }
      for (const version of step.versions) {
        const how = version.writeState ? '' : ' (state superseded by a later version)';
        log(`applied ${version.folder}${how}`);
      }
      log(`step done in ${Date.now() - stepStarted} ms`);
    }
  }
}
