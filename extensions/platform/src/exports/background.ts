// Background exports (decision 0059): `POST /groundwork/v1/exports/:collection` checks the query as the GET would
// (a forbidden field or filter is the GET's 400/403 at once), stores the run and enqueues its job in one transaction,
// and answers 202. A worker on any instance runs the GET's export (openExport + writeExport) as the user who asked,
// their access rebuilt from their current role and policies (deactivated since: a failed run; a role lowered since:
// the lower role's rows), into chunks in groundwork.export_chunk that only the owner (and admins) can download, at
// GET /groundwork/v1/exports/runs/:id/file. Progress is stored after every MiB and page; the end is a notice in the app.
import { randomUUID } from 'node:crypto';
import type { Accountability, HookExtensionContext, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { defineQueue, defineSchedule, enqueue, type Job } from '../jobs/index.js';
import { notifyDirectly } from '../notifications/direct.js';
import { fingerprintOf, idempotencyKeyIssue, requestKeyOf } from '../shared/core/idempotency.js';
import type { PlatformEnv } from '../shared/env.js';
import { ForbiddenError, InvalidPayloadError } from '../shared/errors.js';
import { startOnce } from '../shared/idempotent-start.js';
import { attemptFailure, createRunAs } from '../users/background-runs.js';
import { exportFileName } from './core/filename.js';
import {
  EXPORT_FINISHED,
  exportNotice,
  exportRequestFingerprint,
  runUrl,
  type ExportRunStatus,
  type StoredQuery,
} from './core/runs.js';
import { parseExportQuery } from './query.js';
import { openExport, type ExportReader, type ItemsServiceClass } from './read.js';
import { chunkSink, deleteExpiredExportRuns, exportJobStore, installExportRuns } from './store.js';
import { writeExport } from './write.js';
import { isDataCollection } from '../shared/core/collections.js';

export const EXPORT_QUEUE = 'groundwork.exports';
/** Daily: ended runs and their chunks older than GROUNDWORK_EXPORT_RUN_RETENTION_DAYS (decision 0062). */
export const EXPORT_RETENTION_QUEUE = 'groundwork.exports-retention';
/** Retries of an attempt that broke (a crash, the database); a refused query is not retried. */
const RETRY_LIMIT = 3;

interface ExportContext {
  ItemsService: ItemsServiceClass;
  schema: SchemaOverview;
  accountability: Accountability;
  knex: Knex;
}

/**
 * The export's rows as the GET reads them: a system or unknown collection is a 403, the query is parsed by Directus
 * as for /items, and the first page is read (a forbidden field, filter or sort throws the GET's error here).
 */
export async function openQueryExport(
  collection: string,
  query: StoredQuery,
  context: ExportContext,
  limit = query.limit,
): Promise<ExportReader & { fields: string[] }> {
  if (!isDataCollection(context.schema, collection)) throw new ForbiddenError();
  const parsed = await parseExportQuery(query, context.schema, context.accountability);
  const reader = await openExport(
    context.ItemsService,
    { collection, fields: parsed.fields, filter: parsed.filter, sort: parsed.sort, limit },
    { schema: context.schema, accountability: context.accountability, knex: context.knex },
  );
  return { ...reader, fields: parsed.fields };
}

/** The queue and its worker, defined at hook registration (the jobs runtime starts it with Directus). */
export function registerExportJobs(context: HookExtensionContext, config: PlatformEnv): void {
  const { database, services, getSchema } = context;
  const logger = context.logger.child({ capability: 'exports' });
  const store = exportJobStore(database);
  const accountabilityOf = createRunAs(database);

  async function end(
    run: { id: string; user_id: string; collection: string; format: StoredQuery['format'] },
    outcome: { status: 'succeeded' | 'failed'; rows: number; error: string | null },
  ) {
    const notice = exportNotice({ ...run, ...outcome });
    // Once per run whatever the retries (the key), in the app only: the download needs the owner signed in anyway.
    await notifyDirectly(database, {
      key: `export-run:${run.id}`,
      eventType: `exports.run.${outcome.status}`,
      recipients: [run.user_id],
      channels: ['in_app'],
      ...notice,
    });
  }

  async function fail(run: Parameters<typeof end>[0], attempt: number, error: string) {
    if (await store.finish(run.id, attempt, { status: 'failed', file_name: null, error }))
      await end(run, { status: 'failed', rows: 0, error });
  }

  async function work(job: Job<{ run: string }>): Promise<void> {
    const run = await store.forWork(job.data.run);
    if (!run || EXPORT_FINISHED.includes(run.status)) return;
    const attempt = await store.start(run.id);
    const accountability = await accountabilityOf(run.user_id, run.ip);
    if (!accountability) return fail(run, attempt, 'The account that started the export is no longer active.');
    const query = typeof run.query === 'string' ? (JSON.parse(run.query) as StoredQuery) : run.query;
    try {
      const schema: SchemaOverview = await getSchema();
      const reader = await openQueryExport(run.collection, query, {
        ItemsService: services.ItemsService as unknown as ItemsServiceClass,
        schema,
        accountability,
        knex: database,
      });
      let rows = reader.first.length;
      const sink = chunkSink(store, { id: run.id, attempt }, (bytes) =>
        store.progress(run.id, { rows_written: rows, bytes_written: bytes }),
      );
      async function* counted() {
        for await (const page of reader.rest()) {
          rows += page.length;
          yield page;
        }
      }
      await writeExport(query.format, sink, { first: reader.first, rest: counted, fields: reader.fields });
      const ended = await store.finish(run.id, attempt, {
        status: 'succeeded',
        file_name: exportFileName(run.collection, query.format, new Date()),
        rows_written: rows,
        bytes_written: sink.bytesWritten(),
        error: null,
      });
      if (ended) await end(run, { status: 'succeeded', rows, error: null });
    } catch (error) {
      const { refusal, reason: message } = attemptFailure(error);
      // A refusal (the role lowered since, a field gone) is the same on every attempt; a broken attempt is retried.
      if (refusal || job.attempt > RETRY_LIMIT) return fail(run, attempt, message);
      logger.warn({ err: error, run: run.id }, 'export attempt broke; retrying');
      await store.broke(run.id, message);
      throw error;
    }
  }

  defineQueue(EXPORT_QUEUE, work, {
    retryLimit: RETRY_LIMIT,
    retryDelaySeconds: 5,
    // One export at a time per instance: each holds a read cursor's pages and a chunk.
    concurrency: 1,
    heartbeatSeconds: config.GROUNDWORK_EXPORT_HEARTBEAT_SECONDS,
    expireInSeconds: 6 * 60 * 60,
  });

  defineQueue(EXPORT_RETENTION_QUEUE, async () => {
    const deleted = await deleteExpiredExportRuns(database, config.GROUNDWORK_EXPORT_RUN_RETENTION_DAYS);
    if (deleted.runs + deleted.chunks > 0) logger.info(deleted, 'exports: deleted runs past their retention');
  });
  // Ten minutes after the imports' (03:47), so the two daily deletes do not share the disk.
  defineSchedule(EXPORT_RETENTION_QUEUE, '57 3 * * *');
}

/**
 * Checks the query as the GET would (first row read as the caller), then stores the run and enqueues its job. The
 * same user's Idempotency-Key answers the run it started (409 for another query); another user's same key is theirs.
 */
export function createExportStart(database: Knex) {
  const store = exportJobStore(database);
  let installed: Promise<void> | null = null;
  return async function startExport(
    collection: string,
    query: StoredQuery,
    context: ExportContext,
    idempotencyKey: string | null = null,
  ): Promise<{ id: string; status: ExportRunStatus; url: string }> {
    const user = context.accountability.user;
    if (!user)
      throw new InvalidPayloadError({
        issues: [
          { path: 'user', message: 'A background export needs a signed-in user to run as (not a static token).' },
        ],
      });
    const keyIssue = idempotencyKeyIssue(idempotencyKey);
    if (keyIssue) throw new InvalidPayloadError({ issues: [{ path: 'Idempotency-Key', message: keyIssue }] });
    await openQueryExport(collection, query, context, 1);
    installed ??= installExportRuns(database).catch((error: unknown) => {
      installed = null;
      throw error;
    });
    await installed;
    const requestKey = requestKeyOf(user, idempotencyKey);
    const fingerprint = fingerprintOf(exportRequestFingerprint(collection, query));
    const id = randomUUID();
    const earlier = await startOnce({
      requestKey,
      fingerprint,
      conflict: 'This Idempotency-Key was used for a different export.',
      find: (key) => store.byRequestKey(key),
      start: () =>
        database.transaction(async (trx) => {
          await store.create(trx, {
            id,
            user_id: user,
            ip: context.accountability.ip ?? null,
            collection,
            query,
            request_key: requestKey,
            fingerprint,
          });
          await enqueue(trx, EXPORT_QUEUE, { run: id }, { singletonKey: id });
        }),
    });
    if (earlier) return { id: earlier.id, status: earlier.status, url: runUrl(earlier.id) };
    return { id, status: 'queued', url: runUrl(id) };
  };
}
