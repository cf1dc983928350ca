// The work of `npm run migrate`, in this process: bootstrap Directus if needed, then apply every pending version
// of both snapshot lines (the platform's, then the domain's: core/lines.ts, decision 0029) in the steps
// core/plan.ts chooses, one transaction per step (schema, rows, data migrations and ledger rows together), so a
// failed or killed run leaves the database at the last committed step and a rerun finishes.
// Loads Directus for one database (directus-api.ts): call it once per process; migrator.ts spawns such a process.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { bundleModule } from '../lib/bundle.js';
import { withClient, type PgConnection } from '../lib/postgres.js';
import { INSTALL_MARKER, loadDirectusApi, shippedSystemMigrations, type DirectusApi } from './directus-api.js';
import { ensureLedger, LEDGER, LEDGERS, openDatabase, readLedger, writeConfiguration } from './database.js';
import { planSteps, type MigrationStep } from './core/plan.js';
import {
  combinedSchema,
  lineProblems,
  orderLineSteps,
  ownedPart,
  platformCollections,
  type LineName,
} from './core/lines.js';
import { DATA_MIGRATION, planMigration, type VersionOnDisk } from './core/version.js';
import type { SchemaSnapshot, VersionState } from './core/state.js';
import { labelOf, listVersions, platformSnapshotsDir, readState } from './store.js';
import { MigrationError } from './migrator.js';

export interface RunOptions {
  connection: PgConnection;
  /** The domain's line (snapshots/). */
  dir: string;
  /** The platform's line; default platformSnapshotsDir(). */
  platformDir?: string;
  dryRun?: boolean;
  /** ADMIN_EMAIL, ADMIN_PASSWORD, ... for the first admin when the database is empty (as `directus bootstrap`). */
  settings: Record<string, string | undefined>;
  log: (message: string) => void;
}

export interface MigrateResult {
  bootstrapped: 'installed' | 'reinstalled' | 'upgraded' | 'skipped';
  /** Folders applied, the platform's as `platform/<folder>`. */
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
  // Bundled, not imported as TypeScript: this process may run without a TypeScript loader (migrator.ts).
  const key = createHash('sha256').update(file).update(readFileSync(file)).digest('hex').slice(0, 16);
  const bundled = await bundleModule(file, `data-migration-${key}`);
  const module = (await import(pathToFileURL(bundled).href)) as Partial<DataMigration>;
  if (typeof module.up !== 'function') throw new Error(`${folder}/${DATA_MIGRATION} does not export up({ database })`);
  return module as DataMigration;
}

export async function runMigrations(options: RunOptions): Promise<MigrateResult> {
  const { connection, log } = options;
  // A database ahead of this release (a rollback) is said once per line, not at each read of the ledgers.
  const reportedAhead = new Set<LineName>();
  const started = Date.now();
  const dirs: Record<LineName, string> = { platform: options.platformDir ?? platformSnapshotsDir(), domain: options.dir };
  // The collections the platform's line defines (set by readLines): the domain's steps leave them alone.
  let platformOwned = new Set<string>();
  // One migrator at a time per database: instances starting together wait here instead of racing (bootstrap too).
  return withClient(connection, async (lockClient) => {
    await lockClient.query(`select pg_advisory_lock(hashtext('${LEDGER}'))`);
    // Loading Directus takes seconds: a database that needs nothing is answered without it. (On an error, the
    // lock goes with the connection.)
    const upToDate = await nothingToDo();
    if (upToDate) {
      log(`nothing to do: all ${upToDate} version(s) are applied`);
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
      const lines = await readLines(db);
      return lines.platform.pending.length + lines.domain.pending.length === 0
        ? lines.platform.applied + lines.domain.applied
        : 0;
    } finally {
      await db.destroy();
    }
  }

  /** Both lines' pending versions, or a MigrationError saying why the database cannot be migrated. */
  async function readLines(db: Knex): Promise<Record<LineName, Line>> {
    const problems: string[] = [];
    const read = async (name: LineName): Promise<Line> => {
      const dir = dirs[name];
      const label = labelOf(dir);
      const versions = listVersions(dir);
      const ledger = await readLedger(db, LEDGERS[name]);
      const plan = planMigration(versions, ledger, label);
      const states = new Map<string, VersionState>();
      const stateOf = (folder: string) => {
        let state = states.get(folder);
        if (!state) {
          state = readState(dir, folder, name);
          states.set(folder, state);
        }
        return state;
      };
      if (!plan.ok) problems.push(...plan.problems);
      if (plan.ok && plan.ahead.length && !reportedAhead.has(name)) {
        reportedAhead.add(name);
        const names = plan.ahead.map((row) => `${row.version} (${row.name})`).join(', ');
        log(
          `${label}: the database is ahead of this release: version(s) ${names} were applied by a newer one. ` +
            'Nothing is undone; this release runs on that schema (a rollback).',
        );
      }
      const pending = plan.ok ? plan.pending : [];
      return {
        name,
        dir,
        label,
        ledger: LEDGERS[name],
        versions,
        pending,
        applied: plan.ok ? plan.applied : ledger.length,
        ledgerRows: ledger.length,
        byFolder: new Map(pending.map((version) => [version.folder, version])),
        stateOf,
      };
    };
    const platform = await read('platform');
    const domain = await read('domain');
    if (domain.ledgerRows > 0 && platform.ledgerRows === 0 && platform.versions.length > 0) {
      // Versions were re-cut into two lines at 0.1.0 (decision 0029): such a database holds the old cut.
      throw new MigrationError(
        'refusing to migrate: this database was migrated before the platform had its own snapshot line ' +
          `(${platform.label}; decision 0029), so its versions are the old cut. Migrate a new database ` +
          '(with the embedded default: stop npm start and remove .data/postgres).',
      );
    }
    let owned: Set<string> | undefined;
    try {
      owned = platformCollections(platform.versions.map((version) => platform.stateOf(version.folder).schema));
      for (const line of [platform, domain]) {
        for (const version of line.pending) {
          const where = `${line.label}/${version.folder}`;
          problems.push(...lineProblems(line.name, where, Object.keys(version.hashes), line.stateOf(version.folder).schema, owned));
        }
      }
    } catch (error) {
      problems.push(`cannot read the pending versions: ${(error as Error).message}`);
    }
    if (problems.length || !owned) throw new MigrationError(`refusing to migrate:\n  ${problems.join('\n  ')}`);
    platformOwned = owned;
    return { platform, domain };
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

    const lines = await readLines(db);
    const pendingCount = lines.platform.pending.length + lines.domain.pending.length;
    if (pendingCount === 0) {
      log(`nothing to do: all ${lines.platform.applied + lines.domain.applied} version(s) are applied`);
      result.durationMs = Date.now() - started;
      return result;
    }
    for (const line of [lines.platform, lines.domain]) {
      if (line.pending.length) {
        log(`${line.pending.length} pending version(s) in ${line.label}: ${line.pending.map((v) => v.folder).join(', ')}`);
      }
    }
    // The platform's latest schema: where the domain's configuration rows (in platform collections) find their keys.
    const latestPlatform = lines.platform.versions.at(-1);
    const platformSchema = latestPlatform
      ? ownedPart(lines.platform.stateOf(latestPlatform.folder).schema, 'platform', platformOwned)
      : EMPTY_SCHEMA;

    let steps: RunStep[];
    try {
      const stepsOf = (line: Line) =>
        planSteps(
          line.pending.map((version) => ({
            folder: version.folder,
            hasDataMigration: version.hashes[DATA_MIGRATION] !== undefined,
            schema: line.stateOf(version.folder).schema,
          })),
        );
      steps = orderLineSteps(stepsOf(lines.platform), stepsOf(lines.domain)).map(({ part, steps: parts }) => {
        const schemas = parts.map(({ line, step }) => ownedPart(lines[line].stateOf(step.schemaOf).schema, line, platformOwned));
        return {
          part,
          schema: part === 'both' ? combinedSchema(schemas[0] as SchemaSnapshot, schemas[1] as SchemaSnapshot) : (schemas[0] as SchemaSnapshot),
          schemaLabel: parts.map(({ line, step }) => `${lines[line].label}/${step.schemaOf}`).join(' + '),
          parts: parts.map(({ line, step }) => ({ line: lines[line], step })),
        };
      });
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
      for (const { line, step: lineStep } of step.parts) {
        result.applied.push(...lineStep.versions.map((version) => appliedName(line, version.folder)));
      }
    }
    if (!directus) log('dry run: nothing was changed');
    result.durationMs = Date.now() - started;
    return result;

    function describeStep(step: RunStep): string {
      const parts = step.parts.flatMap(({ line, step: lineStep }) =>
        lineStep.versions.map((version) => {
          const what = [
            ...(version.writeState && line.name === 'domain' ? ['state'] : []),
            ...(version.runDataMigration ? [`${DATA_MIGRATION} up`] : []),
            'ledger',
          ];
          return `would apply ${appliedName(line, version.folder)}: ${what.join(' + ')}`;
        }),
      );
      return [`one transaction: schema of ${step.schemaLabel}`, ...parts].join('\n  ');
    }

    async function applyStep(step: RunStep, directus: DirectusApi): Promise<void> {
      const stepStarted = Date.now();
      let current = `schema of ${step.schemaLabel}`;
      let folder = step.schemaLabel;
      const part = step.part;
      try {
        await db.transaction(async (trx) => {
          log(`applying the schema of ${step.schemaLabel}`);
          const changes = await directus.applySchema(
            trx,
            step.schema,
            part === 'both' ? undefined : (snapshot) => ownedPart(snapshot as SchemaSnapshot, part, platformOwned),
          );
          log(`schema of ${step.schemaLabel}: ${changes} change(s) in ${Date.now() - stepStarted} ms`);
          for (const { line, step: lineStep } of step.parts) {
            await ensureLedger(trx, line.ledger);
            // A state equal to the one last written here is not written again: it was captured after the data
            // migrations since, so they left its rows as they are.
            let written: string | undefined;
            for (const version of lineStep.versions) {
              folder = appliedName(line, version.folder);
              const versionStarted = Date.now();
              const onDisk = line.byFolder.get(version.folder) as VersionOnDisk;
              const stateKey = stateFilesKey(onDisk);
              // Platform versions hold no rows (core/lines.ts): access, flows, settings and config data are the domain's.
              if (line.name === 'domain' && version.writeState && stateKey !== written) {
                current = 'access, flows, settings and config data';
                const state = line.stateOf(version.folder);
                await writeConfiguration(trx, { ...state, schema: combinedSchema(platformSchema, state.schema) });
                written = stateKey;
              }
              if (version.runDataMigration) {
                current = `data migration (${DATA_MIGRATION} up)`;
                const file = path.join(line.dir, version.folder, DATA_MIGRATION);
                await (await loadDataMigration(file, version.folder)).up({ database: trx });
              }
              current = 'ledger';
              await trx(line.ledger).insert({
                version: onDisk.version,
                name: onDisk.name,
                checksum: onDisk.checksum,
                files: JSON.stringify(onDisk.hashes),
                duration_ms: Date.now() - versionStarted,
              });
            }
          }
        });
      } catch (error) {
        const names = step.parts.flatMap(({ line, step: s }) => s.versions.map((v) => appliedName(line, v.folder)));
        throw new MigrationError(
          `${folder} failed at step "${current}"; this transaction (${names.join(', ')}) ` +
            `was rolled back, earlier versions stay applied:\n  ${(error as Error).message}`,
        );
      }
      for (const { line, step: lineStep } of step.parts) {
        for (const version of lineStep.versions) {
          const how = version.writeState || line.name === 'platform' ? '' : ' (state superseded by a later version)';
          log(`applied ${appliedName(line, version.folder)}${how}`);
        }
      }
      log(`step done in ${Date.now() - stepStarted} ms`);
    }
  }
}

const EMPTY_SCHEMA: SchemaSnapshot = { version: 1, collections: [], fields: [], systemFields: [], relations: [] };

/** The domain's versions by their folder (as before there were lines), the platform's as `platform/<folder>`. */
function appliedName(line: Line, folder: string): string {
  return line.name === 'platform' ? `platform/${folder}` : folder;
}

interface Line {
  name: LineName;
  dir: string;
  label: string;
  ledger: string;
  versions: VersionOnDisk[];
  pending: VersionOnDisk[];
  applied: number;
  ledgerRows: number;
  byFolder: Map<string, VersionOnDisk>;
  stateOf(folder: string): VersionState;
}

interface RunStep {
  part: LineName | 'both';
  /** The schema this step applies: one line's part, or both parts together. */
  schema: SchemaSnapshot;
  schemaLabel: string;
  parts: Array<{ line: Line; step: MigrationStep }>;
}
