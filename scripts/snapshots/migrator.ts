// `npm run migrate`: applies every pending version, in order, and records each in the ledger.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { applySchema } from './directus-cli.js';
import { ensureLedger, LEDGER, openDatabase, readLedger, writeConfiguration } from './database.js';
import { DATA_MIGRATION, parseState, planMigration, type VersionOnDisk } from './core/version.js';
import { labelOf, listVersions, readVersionFiles } from './store.js';

export interface MigrateOptions {
  connection: PgConnection;
  dir: string;
  dryRun?: boolean;
  log: (message: string) => void;
}

export interface MigrateResult {
  applied: string[];
  skippedSchema: string[];
  durationMs: number;
}

/** A refusal or a failed step: the message says which version and which step. */
export class MigrationError extends Error {}

interface DataMigration {
  up(context: { database: Knex.Transaction }): Promise<void>;
}

async function loadDataMigration(file: string, folder: string): Promise<DataMigration> {
  const module = (await import(pathToFileURL(file).href)) as Partial<DataMigration>;
  if (typeof module.up !== 'function') throw new Error(`${folder}/${DATA_MIGRATION} does not export up({ database })`);
  return module as DataMigration;
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { connection, dir, log } = options;
  const label = labelOf(dir);
  const started = Date.now();
  // One migrator at a time per database: instances starting together wait here instead of racing.
  return withClient(connection, async (lockClient) => {
    await lockClient.query(`select pg_advisory_lock(hashtext('${LEDGER}'))`);
    const db = openDatabase(connection);
    try {
      return await run(db);
    } finally {
      await db.destroy();
      await lockClient.query(`select pg_advisory_unlock(hashtext('${LEDGER}'))`);
    }
  });

  async function run(db: Knex): Promise<MigrateResult> {
    const versions = listVersions(dir);
    const ledger = await readLedger(db);
    const plan = planMigration(versions, ledger, label);
    if (!plan.ok) throw new MigrationError(`refusing to migrate:\n  ${plan.problems.join('\n  ')}`);
    const result: MigrateResult = { applied: [], skippedSchema: [], durationMs: 0 };
    if (plan.pending.length === 0) {
      log(`nothing to do: all ${plan.applied} version(s) in ${label} are applied`);
      result.durationMs = Date.now() - started;
      return result;
    }
    log(`${plan.pending.length} pending version(s) in ${label}: ${plan.pending.map((v) => v.folder).join(', ')}`);

    const applied = new Map(versions.map((version) => [version.version, ledger.some((r) => r.version === version.version)]));
    for (const version of plan.pending) {
      const previous = versions.filter((other) => other.version < version.version).at(-1);
      // The schema CLI takes seconds; a version whose schema equals the applied one before it has nothing to apply.
      const schemaUnchanged =
        previous !== undefined &&
        applied.get(previous.version) === true &&
        previous.hashes['schema.json'] === version.hashes['schema.json'];
      if (options.dryRun) {
        log(describePlanned(version, schemaUnchanged));
        continue;
      }
      await applyVersion(db, version, schemaUnchanged);
      applied.set(version.version, true);
      result.applied.push(version.folder);
      if (schemaUnchanged) result.skippedSchema.push(version.folder);
    }
    if (options.dryRun) log('dry run: nothing was changed');
    result.durationMs = Date.now() - started;
    return result;
  }

  function describePlanned(version: VersionOnDisk, schemaUnchanged: boolean): string {
    const steps = [
      schemaUnchanged ? 'schema (unchanged, skipped)' : 'schema apply',
      'access + flows + config data',
      ...(version.hashes[DATA_MIGRATION] ? [`${DATA_MIGRATION} up`] : []),
      'ledger',
    ];
    return `would apply ${version.folder}: ${steps.join(' → ')}`;
  }

  async function applyVersion(db: Knex, version: VersionOnDisk, schemaUnchanged: boolean): Promise<void> {
    const versionStarted = Date.now();
    const folderPath = path.join(dir, version.folder);
    let current = 'read files';
    try {
      const state = parseState(readVersionFiles(dir, version.folder), `${label}/${version.folder}`);
      current = 'schema apply';
      if (!schemaUnchanged) await applySchema(connection, path.join(folderPath, 'schema.json'));
      current = 'access, flows and config data';
      await db.transaction(async (trx) => {
        await writeConfiguration(trx, state);
        if (version.hashes[DATA_MIGRATION]) {
          current = `data migration (${DATA_MIGRATION} up)`;
          const dataMigration = await loadDataMigration(path.join(folderPath, DATA_MIGRATION), version.folder);
          await dataMigration.up({ database: trx });
        }
        current = 'ledger';
        await ensureLedger(trx);
        await trx(LEDGER).insert({
          version: version.version,
          name: version.name,
          checksum: version.checksum,
          files: JSON.stringify(version.hashes),
          duration_ms: Date.now() - versionStarted,
        });
      });
    } catch (error) {
      throw new MigrationError(
        `${version.folder} failed at step "${current}"; its rows were rolled back, earlier versions stay applied:\n` +
          `  ${(error as Error).message}`,
      );
    }
    log(`applied ${version.folder} in ${Date.now() - versionStarted} ms${schemaUnchanged ? ' (schema unchanged)' : ''}`);
  }
}
