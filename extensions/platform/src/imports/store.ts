// Idempotency: each successful real import is recorded in the same transaction as its rows, under a key (the
// caller's Idempotency-Key, or the file's checksum with the collection and options), so a run repeated after a
// crash, a timeout or a double click finds the first result and writes nothing. In the `groundwork` schema:
// bookkeeping only this code reads (Directus serves only `public`).
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { deleteInBatches } from '../shared/core/batches.js';
import { requestKeyOf } from '../shared/core/idempotency.js';
import { beforeInstall, installUnderLock } from '../shared/install.js';
import type { ImportOptions } from './core/contract.js';
import { FINISHED, type Phase, type RunStatus } from './core/progress.js';
import type { ImportReport } from './core/report.js';
import type { SavedOptions } from './core/saved.js';

export async function installImportRuns(database: Knex): Promise<void> {
  await installUnderLock(database, [
    'CREATE SCHEMA IF NOT EXISTS groundwork',
    `CREATE TABLE IF NOT EXISTS groundwork.import_run (
      key text PRIMARY KEY,
      fingerprint text NOT NULL,
      collection text NOT NULL,
      user_id uuid,
      report jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    ...IMPORT_JOB_STATEMENTS,
    ...SAVED_MAPPING_STATEMENTS,
  ]);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The run's keys, per caller (one user's key or file never answers for another's): the file's (checksum, collection
 * and options) always, and the Idempotency-Key's when one is sent. A successful run is recorded under both.
 */
export function runKeys(
  user: string | null,
  idempotencyKey: string | null,
  fingerprint: string,
): { header: string | null; file: string } {
  return {
    header: requestKeyOf(user, idempotencyKey),
    file: `file:${user ?? 'admin-token'}:${sha256(fingerprint)}`,
  };
}

export interface StoredRun {
  fingerprint: string;
  report: ImportReport;
}

export async function findRun(database: Knex, key: string): Promise<StoredRun | null> {
  const row = (await database('groundwork.import_run').select('fingerprint', 'report').where({ key }).first()) as
    | { fingerprint: string; report: ImportReport | string }
    | undefined;
  if (!row) return null;
  return {
    fingerprint: row.fingerprint,
    report: typeof row.report === 'string' ? (JSON.parse(row.report) as ImportReport) : row.report,
  };
}

export async function recordRun(
  trx: Knex.Transaction,
  run: {
    keys: { header: string | null; file: string };
    fingerprint: string;
    collection: string;
    user: string | null;
    report: ImportReport;
  },
): Promise<void> {
  const row = (key: string) => ({
    key,
    fingerprint: sha256(run.fingerprint),
    collection: run.collection,
    user_id: run.user,
    report: JSON.stringify(run.report),
  });
  // Both keys are inserted plainly: a concurrent twin (a double click, or a background attempt that outlived its
  // heartbeat) waits for the first's commit, fails here and answers the first report instead of writing again. A
  // sequential repeat never gets here: it finds the record before it runs.
  if (run.keys.header) await trx('groundwork.import_run').insert(row(run.keys.header));
  await trx('groundwork.import_run').insert(row(run.keys.file));
}

export const fingerprintHash = sha256;

// Background runs (decision 0054): one row per run, holding the uploaded file until the run ends (durable, seen by
// every instance, written in the same transaction as the job that works it), the counters its progress is computed
// from, and the report.
export const IMPORT_JOB = 'groundwork.import_job';

// Installed with groundwork.import_run (installImportRuns), by whichever import comes first.
const IMPORT_JOB_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS ${IMPORT_JOB} (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      ip text,
      collection text NOT NULL,
      options jsonb NOT NULL,
      idempotency_key text,
      request_key text,
      fingerprint text NOT NULL,
      file_name text NOT NULL,
      content_type text NOT NULL,
      file bytea,
      status text NOT NULL DEFAULT 'queued',
      phase text NOT NULL DEFAULT 'queued',
      attempts integer NOT NULL DEFAULT 0,
      rows_total integer,
      rows_checked integer NOT NULL DEFAULT 0,
      rows_written integer NOT NULL DEFAULT 0,
      report jsonb,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      phase_started_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`,
  // One run per user and Idempotency-Key: a repeated request answers the same run.
  `CREATE UNIQUE INDEX IF NOT EXISTS import_job_request_key ON ${IMPORT_JOB} (request_key)`,
  `CREATE INDEX IF NOT EXISTS import_job_user_created ON ${IMPORT_JOB} (user_id, created_at DESC)`,
];

export interface ImportJobRow {
  id: string;
  user_id: string;
  ip: string | null;
  collection: string;
  options: ImportOptions;
  idempotency_key: string | null;
  request_key: string | null;
  fingerprint: string;
  file_name: string;
  content_type: string;
  file: Buffer | null;
  status: RunStatus;
  phase: Phase;
  attempts: number;
  rows_total: number | null;
  rows_checked: number;
  rows_written: number;
  report: ImportReport | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  phase_started_at: Date | null;
  updated_at: Date;
  finished_at: Date | null;
}

const VIEW_COLUMNS = [
  'id',
  'user_id',
  'collection',
  'options',
  'file_name',
  'status',
  'phase',
  'attempts',
  'rows_total',
  'rows_checked',
  'rows_written',
  'report',
  'error',
  'created_at',
  'started_at',
  'phase_started_at',
  'finished_at',
];

export function importJobStore(database: Knex) {
  return {
    async create(
      trx: Knex.Transaction,
      run: Pick<
        ImportJobRow,
        | 'id'
        | 'user_id'
        | 'ip'
        | 'collection'
        | 'options'
        | 'idempotency_key'
        | 'request_key'
        | 'fingerprint'
        | 'file_name'
        | 'content_type'
        | 'file'
      >,
    ): Promise<void> {
      await trx(IMPORT_JOB).insert({ ...run, options: JSON.stringify(run.options) });
    },

    /** The run a user's Idempotency-Key already started, if any. */
    async byRequestKey(requestKey: string): Promise<Pick<ImportJobRow, 'id' | 'status' | 'fingerprint'> | null> {
      const row = (await database(IMPORT_JOB)
        .where({ request_key: requestKey })
        .first('id', 'status', 'fingerprint')) as Pick<ImportJobRow, 'id' | 'status' | 'fingerprint'> | undefined;
      return row ?? null;
    },

    /** Everything the worker needs, the file included. */
    async forWork(id: string): Promise<ImportJobRow | null> {
      return ((await database(IMPORT_JOB).where({ id }).first()) as ImportJobRow | undefined) ?? null;
    },

    /** The run as its owner sees it (no file bytes). */
    async view(id: string): Promise<Omit<ImportJobRow, 'file'> | null> {
      const row = await beforeInstall(
        database(IMPORT_JOB).where({ id }).first(VIEW_COLUMNS) as Promise<Omit<ImportJobRow, 'file'> | undefined>,
        undefined,
      );
      return row ?? null;
    },

    async listFor(user: string, limit: number): Promise<Array<Omit<ImportJobRow, 'file'>>> {
      return beforeInstall(
        database(IMPORT_JOB).where({ user_id: user }).orderBy('created_at', 'desc').limit(limit).select(VIEW_COLUMNS),
        [],
      ) as Promise<Array<Omit<ImportJobRow, 'file'>>>;
    },

    /** An attempt starts: counters from zero (a crashed attempt's transaction wrote nothing). */
    async start(id: string): Promise<void> {
      await database(IMPORT_JOB)
        .where({ id })
        .update({
          status: 'running',
          phase: 'queued',
          attempts: database.raw('attempts + 1'),
          rows_total: null,
          rows_checked: 0,
          rows_written: 0,
          error: null,
          started_at: database.fn.now(),
          phase_started_at: null,
          updated_at: database.fn.now(),
        });
    },

    /** After every chunk (outside the import's transaction, so readers see it at once). */
    async progress(
      id: string,
      counters: { phase: Phase; rows_total: number; rows_checked: number; rows_written: number },
      phaseChanged: boolean,
    ): Promise<void> {
      await database(IMPORT_JOB)
        .where({ id })
        .update({
          ...counters,
          ...(phaseChanged ? { phase_started_at: database.fn.now() } : {}),
          updated_at: database.fn.now(),
        });
    },

    /** The run ended: its report or its reason; the file is dropped (the run will not read it again). */
    async finish(
      id: string,
      outcome: { status: RunStatus; report: ImportReport | null; error: string | null },
    ): Promise<void> {
      await database(IMPORT_JOB)
        .where({ id })
        .update({
          status: outcome.status,
          phase: 'done',
          report: outcome.report === null ? null : JSON.stringify(outcome.report),
          error: outcome.error,
          file: null,
          finished_at: database.fn.now(),
          updated_at: database.fn.now(),
        });
    },

    /** An attempt broke and the job will be retried: the file stays. */
    async broke(id: string, error: string): Promise<void> {
      await database(IMPORT_JOB).where({ id }).update({ status: 'retrying', error, updated_at: database.fn.now() });
    },
  };
}

export type ImportJobStore = ReturnType<typeof importJobStore>;

// Saved mappings (decision 0058): one user's named import options. Here rather than in a Directus collection: only
// the routes read them (owner-or-admin, 404 otherwise), so no permission rows are needed for them.
export const IMPORT_MAPPING = 'groundwork.import_mapping';

const SAVED_MAPPING_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS ${IMPORT_MAPPING} (
      id uuid PRIMARY KEY,
      user_id uuid,
      name text NOT NULL,
      collection text NOT NULL,
      options jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
  // A name is unique per owner (an admin static token has no user: its mappings share the null owner).
  `CREATE UNIQUE INDEX IF NOT EXISTS import_mapping_owner_name ON ${IMPORT_MAPPING} (coalesce(user_id::text, ''), name)`,
];

export interface SavedMappingRow {
  id: string;
  user_id: string | null;
  name: string;
  collection: string;
  options: SavedOptions;
  created_at: Date;
  updated_at: Date;
}

/** A caller: their own mappings, or every mapping for an admin. */
export interface MappingCaller {
  user: string | null;
  admin: boolean;
}

export function savedMappingStore(database: Knex) {
  const visible = (caller: MappingCaller) => (query: Knex.QueryBuilder) =>
    caller.admin ? query : caller.user ? query.where({ user_id: caller.user }) : query.whereRaw('false');
  const parsed = (row: SavedMappingRow | undefined): SavedMappingRow | null =>
    row
      ? { ...row, options: typeof row.options === 'string' ? (JSON.parse(row.options) as SavedOptions) : row.options }
      : null;
  return {
    async list(caller: MappingCaller, collection?: string): Promise<SavedMappingRow[]> {
      const query = visible(caller)(database(IMPORT_MAPPING).select('*'));
      if (collection) query.where({ collection });
      const rows = (await beforeInstall(
        query.orderBy([{ column: 'collection' }, { column: 'name' }]),
        [],
      )) as SavedMappingRow[];
      return rows.map((row) => parsed(row)!);
    },
    /** The mapping if the caller may see it (owner or admin), else null: another user's is not found. */
    async get(caller: MappingCaller, id: string): Promise<SavedMappingRow | null> {
      const row = await beforeInstall(visible(caller)(database(IMPORT_MAPPING).where({ id })).first(), undefined);
      return parsed(row as SavedMappingRow | undefined);
    },
    async create(row: Pick<SavedMappingRow, 'id' | 'user_id' | 'name' | 'collection' | 'options'>): Promise<void> {
      await database(IMPORT_MAPPING).insert({ ...row, options: JSON.stringify(row.options) });
    },
    async update(
      caller: MappingCaller,
      id: string,
      change: Partial<Pick<SavedMappingRow, 'name' | 'collection' | 'options'>>,
    ): Promise<boolean> {
      const values: Record<string, unknown> = { ...change, updated_at: database.fn.now() };
      if (change.options) values['options'] = JSON.stringify(change.options);
      const count = await visible(caller)(database(IMPORT_MAPPING).where({ id })).update(values);
      return Number(count) > 0;
    },
    async remove(caller: MappingCaller, id: string): Promise<boolean> {
      const count = await visible(caller)(database(IMPORT_MAPPING).where({ id })).delete();
      return Number(count) > 0;
    },
  };
}

export type SavedMappingStore = ReturnType<typeof savedMappingStore>;

/** Rows per delete statement of the retention job: short transactions whatever the backlog. */
const RETENTION_BATCH_ROWS = 500;

/**
 * Retention (GROUNDWORK_IMPORT_RUN_RETENTION_DAYS): idempotency records and ended background runs older than the
 * given days go; queued, running and retrying runs stay whatever their age. A file repeated after its record went is
 * imported again (its rows then meet the collection's unique indexes like any new file's).
 */
export async function deleteOldRuns(
  database: Knex,
  days: number,
  batchSize = RETENTION_BATCH_ROWS,
): Promise<{ runs: number; jobs: number }> {
  const before = database.raw(`now() - make_interval(days => ?)`, [days]);
  const runs = await deleteInBatches(
    (size) =>
      beforeInstall(
        database('groundwork.import_run')
          .whereIn('key', database('groundwork.import_run').where('created_at', '<', before).limit(size).select('key'))
          .delete(),
        0,
      ),
    batchSize,
  );
  const jobs = await deleteInBatches(
    (size) =>
      beforeInstall(
        database(IMPORT_JOB)
          .whereIn(
            'id',
            database(IMPORT_JOB).whereIn('status', FINISHED).where('finished_at', '<', before).limit(size).select('id'),
          )
          .delete(),
        0,
      ),
    batchSize,
  );
  return { runs, jobs };
}
