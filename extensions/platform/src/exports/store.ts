// Background export runs (decision 0059), in the `groundwork` schema (Directus serves only `public`, so no /items,
// /files, /assets or GraphQL route reaches them): one row per run with its query and progress, and the file's bytes
// in chunks of about CHUNK_BYTES, each tagged with the attempt that wrote it. Only the attempt that finished the
// run is served, so a crashed or outlived attempt's chunks are never mixed into the file.
import { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { deleteInBatches } from '../shared/core/batches.js';
import { beforeInstall, installUnderLock } from '../shared/install.js';
import { EXPORT_FINISHED, type ExportRunStatus, type StoredExportRun, type StoredQuery } from './core/runs.js';

export const EXPORT_JOB = 'groundwork.export_job';
export const EXPORT_CHUNK = 'groundwork.export_chunk';
/** One insert per MiB: few round trips, and memory holds one chunk whatever the file's size. */
export const CHUNK_BYTES = 1024 * 1024;

export async function installExportRuns(database: Knex): Promise<void> {
  await installUnderLock(database, [
    'CREATE SCHEMA IF NOT EXISTS groundwork',
    `CREATE TABLE IF NOT EXISTS ${EXPORT_JOB} (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL,
      ip text,
      collection text NOT NULL,
      format text NOT NULL,
      query jsonb NOT NULL,
      status text NOT NULL DEFAULT 'queued',
      attempts integer NOT NULL DEFAULT 0,
      file_attempt integer,
      file_name text,
      rows_written integer NOT NULL DEFAULT 0,
      bytes_written bigint NOT NULL DEFAULT 0,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`,
    `CREATE INDEX IF NOT EXISTS export_job_user_created ON ${EXPORT_JOB} (user_id, created_at DESC)`,
    // Idempotency-Key (decision 0062): added to tables made before it, so ALTER rather than in the CREATE.
    `ALTER TABLE ${EXPORT_JOB} ADD COLUMN IF NOT EXISTS request_key text, ADD COLUMN IF NOT EXISTS fingerprint text`,
    // One run per user and Idempotency-Key: a repeated request answers the same run.
    `CREATE UNIQUE INDEX IF NOT EXISTS export_job_request_key ON ${EXPORT_JOB} (request_key)`,
    // The retention job's scan: ended runs by age.
    `CREATE INDEX IF NOT EXISTS export_job_finished ON ${EXPORT_JOB} (finished_at) WHERE finished_at IS NOT NULL`,
    `CREATE TABLE IF NOT EXISTS ${EXPORT_CHUNK} (
      run_id uuid NOT NULL REFERENCES ${EXPORT_JOB} (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      seq integer NOT NULL,
      bytes bytea NOT NULL,
      PRIMARY KEY (run_id, attempt, seq)
    )`,
  ]);
}

export interface ExportJobRow extends StoredExportRun {
  ip: string | null;
  file_attempt: number | null;
  request_key: string | null;
  fingerprint: string | null;
}

const VIEW_COLUMNS = [
  'id',
  'user_id',
  'collection',
  'format',
  'query',
  'status',
  'attempts',
  'rows_written',
  'bytes_written',
  'file_name',
  'error',
  'created_at',
  'started_at',
  'finished_at',
];

/** bigint arrives as text from pg. */
const counted = <T extends { bytes_written: number | string }>(row: T): T => ({
  ...row,
  bytes_written: Number(row.bytes_written),
});

export function exportJobStore(database: Knex) {
  return {
    async create(
      trx: Knex.Transaction,
      run: {
        id: string;
        user_id: string;
        ip: string | null;
        collection: string;
        query: StoredQuery;
        request_key?: string | null;
        fingerprint?: string | null;
      },
    ): Promise<void> {
      await trx(EXPORT_JOB).insert({ ...run, format: run.query.format, query: JSON.stringify(run.query) });
    },

    /** The run a user's Idempotency-Key already started, if any. */
    async byRequestKey(
      requestKey: string,
    ): Promise<{ id: string; status: ExportRunStatus; fingerprint: string } | null> {
      const row = (await database(EXPORT_JOB)
        .where({ request_key: requestKey })
        .first('id', 'status', 'fingerprint')) as
        | { id: string; status: ExportRunStatus; fingerprint: string }
        | undefined;
      return row ?? null;
    },

    async forWork(id: string): Promise<ExportJobRow | null> {
      const row = (await database(EXPORT_JOB).where({ id }).first()) as ExportJobRow | undefined;
      return row ? counted(row) : null;
    },

    async view(id: string): Promise<StoredExportRun | null> {
      const row = await beforeInstall(
        database(EXPORT_JOB).where({ id }).first(VIEW_COLUMNS) as Promise<StoredExportRun | undefined>,
        undefined,
      );
      return row ? counted(row) : null;
    },

    async listFor(user: string, limit: number): Promise<StoredExportRun[]> {
      const rows = await beforeInstall(
        database(EXPORT_JOB)
          .where({ user_id: user })
          .orderBy('created_at', 'desc')
          .limit(limit)
          .select(VIEW_COLUMNS) as Promise<StoredExportRun[]>,
        [],
      );
      return rows.map(counted);
    },

    /** An attempt starts: its number, counters from zero, and any earlier attempt's chunks dropped. */
    async start(id: string): Promise<number> {
      return database.transaction(async (trx) => {
        const [row] = (await trx(EXPORT_JOB)
          .where({ id })
          .update({
            status: 'running',
            attempts: trx.raw('attempts + 1'),
            rows_written: 0,
            bytes_written: 0,
            error: null,
            started_at: trx.fn.now(),
            updated_at: trx.fn.now(),
          })
          .returning(['attempts'])) as Array<{ attempts: number }>;
        await trx(EXPORT_CHUNK).where({ run_id: id }).delete();
        return row!.attempts;
      });
    },

    async progress(id: string, counters: { rows_written: number; bytes_written: number }): Promise<void> {
      await database(EXPORT_JOB)
        .where({ id })
        .update({ ...counters, updated_at: database.fn.now() });
    },

    async writeChunk(id: string, attempt: number, seq: number, bytes: Buffer): Promise<void> {
      await database(EXPORT_CHUNK).insert({ run_id: id, attempt, seq, bytes });
    },

    /**
     * The run ended, if `attempt` is still its current one (an attempt that outlived its heartbeat while a retry
     * began finishes nothing). Succeeded: that attempt's chunks are the file; failed: every chunk is dropped.
     * Returns whether this attempt ended the run.
     */
    async finish(
      id: string,
      attempt: number,
      outcome: {
        status: Extract<ExportRunStatus, 'succeeded' | 'failed'>;
        file_name: string | null;
        rows_written?: number;
        bytes_written?: number;
        error: string | null;
      },
    ): Promise<boolean> {
      return database.transaction(async (trx) => {
        const file = outcome.status === 'succeeded';
        const updated = await trx(EXPORT_JOB)
          .where({ id, attempts: attempt })
          .whereIn('status', ['running', 'retrying'])
          .update({
            ...outcome,
            file_attempt: file ? attempt : null,
            finished_at: trx.fn.now(),
            updated_at: trx.fn.now(),
          });
        if (updated === 0) return false;
        const stale = trx(EXPORT_CHUNK).where({ run_id: id });
        await (file ? stale.whereNot({ attempt }) : stale).delete();
        return true;
      });
    },

    async broke(id: string, error: string): Promise<void> {
      await database(EXPORT_JOB).where({ id }).update({ status: 'retrying', error, updated_at: database.fn.now() });
    },

    /** The finished file's chunks, one query each, in order: one chunk in memory at a time. */
    async *chunks(id: string, attempt: number): AsyncGenerator<Buffer> {
      for (let seq = 0; ; seq++) {
        const row = (await database(EXPORT_CHUNK).where({ run_id: id, attempt, seq }).first('bytes')) as
          | { bytes: Buffer }
          | undefined;
        if (!row) return;
        yield row.bytes;
      }
    },
  };
}
export type ExportJobStore = ReturnType<typeof exportJobStore>;

/**
 * A writable that stores what it is given as chunks of CHUNK_BYTES, each awaited before more is taken (backpressure:
 * the export reads no faster than the database stores).
 */
export function chunkSink(
  store: Pick<ExportJobStore, 'writeChunk'>,
  run: { id: string; attempt: number },
  onChunk: (bytesWritten: number) => Promise<void>,
): Writable & { bytesWritten: () => number } {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let seq = 0;
  let total = 0;
  /** Stores whole chunks of CHUNK_BYTES (and, at the end, the rest): a large write (a batch of CSV) is cut up. */
  const flush = async (end: boolean) => {
    if (pendingBytes === 0) return;
    let buffered = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    while (buffered.length >= CHUNK_BYTES || (end && buffered.length > 0)) {
      const bytes = buffered.subarray(0, CHUNK_BYTES);
      buffered = buffered.subarray(bytes.length);
      await store.writeChunk(run.id, run.attempt, seq++, bytes);
      total += bytes.length;
      await onChunk(total);
    }
    if (buffered.length > 0) {
      pending = [Buffer.from(buffered)];
      pendingBytes = buffered.length;
    }
  };
  const sink = new Writable({
    write(chunk: Buffer | string, encoding, callback) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding);
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes < CHUNK_BYTES) return callback();
      flush(false).then(() => callback(), callback);
    },
    final(callback) {
      flush(true).then(() => callback(), callback);
    },
  });
  return Object.assign(sink, { bytesWritten: () => total });
}

/** Chunks per delete statement of the retention job: about this many MiB of bytea per transaction. */
export const RETENTION_BATCH_CHUNKS = 32;
/** Runs per statement of the retention job (rows of a few hundred bytes once their chunks are gone). */
export const RETENTION_BATCH_RUNS = 500;

/**
 * Retention (GROUNDWORK_EXPORT_RUN_RETENTION_DAYS, decision 0062): ended runs (succeeded, failed) that finished more
 * than `days` ago go with their chunks; queued, running and retrying runs stay whatever their age. In three bounded
 * steps, each a series of short statements: the file is withdrawn (file_attempt cleared, so the download is a 404
 * from then on, never a file cut short by the next step), its chunks are deleted a few MiB at a time, then the runs.
 */
export async function deleteExpiredExportRuns(
  database: Knex,
  days: number,
  batches: { chunks: number; runs: number; maxBatches?: number } = {
    chunks: RETENTION_BATCH_CHUNKS,
    runs: RETENTION_BATCH_RUNS,
  },
): Promise<{ runs: number; chunks: number }> {
  const { maxBatches } = batches;
  const expired = () =>
    database(EXPORT_JOB)
      .whereIn('status', EXPORT_FINISHED)
      .where('finished_at', '<', database.raw('now() - make_interval(days => ?)', [days]));
  const withdrawn = () => expired().whereNull('file_attempt');
  await deleteInBatches(
    (size) =>
      beforeInstall(
        database(EXPORT_JOB)
          .whereIn('id', expired().whereNotNull('file_attempt').limit(size).select('id'))
          .update({ file_attempt: null }),
        0,
      ),
    batches.runs,
    maxBatches,
  );
  const chunks = await deleteInBatches(
    (size) =>
      beforeInstall(
        database(EXPORT_CHUNK)
          .whereIn(
            ['run_id', 'attempt', 'seq'],
            database(EXPORT_CHUNK)
              .whereIn('run_id', withdrawn().select('id'))
              .limit(size)
              .select('run_id', 'attempt', 'seq'),
          )
          .delete(),
        0,
      ),
    batches.chunks,
    maxBatches,
  );
  // A run whose chunks did not all go (the job's bound) stays for the next day; ON DELETE CASCADE would take the rest
  // in one statement.
  const runs = await deleteInBatches(
    (size) =>
      beforeInstall(
        database(EXPORT_JOB)
          .whereIn(
            'id',
            withdrawn()
              .whereNotExists(database(EXPORT_CHUNK).whereRaw(`${EXPORT_CHUNK}.run_id = ${EXPORT_JOB}.id`))
              .limit(size)
              .select('id'),
          )
          .delete(),
        0,
      ),
    batches.runs,
    maxBatches,
  );
  return { runs, chunks };
}
