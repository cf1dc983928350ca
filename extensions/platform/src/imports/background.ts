// Background imports (decision 0054): `POST /groundwork/v1/imports/:collection?background=true` stores the file in
// groundwork.import_job and enqueues a job in the same transaction, then answers 202; a worker on any instance runs
// the synchronous path's import (import-file.ts) as the user who asked (their access rebuilt from their current
// roles and policies, never a system accountability), writes the progress after every chunk, keeps the report, and
// notifies the user in the app when the run ends. A killed worker's transaction rolls back and its heartbeat lapses;
// the retry finds either nothing written (and runs again) or the run's idempotency record (and answers it).
import { createHash, randomUUID } from 'node:crypto';
import type { Accountability, HookExtensionContext, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { defineQueue, defineSchedule, enqueue, type Job } from '../jobs/index.js';
import { notifyDirectly } from '../notifications/direct.js';
import { idempotencyKeyIssue } from '../shared/core/idempotency.js';
import { InvalidPayloadError } from '../shared/errors.js';
import { startOnce } from '../shared/idempotent-start.js';
import type { PlatformEnv } from '../shared/env.js';
import { attemptFailure, createRunAs } from '../users/background-runs.js';
import { workflowDefinitions } from '../workflows/index.js';
import { runFingerprint, type ImportOptions } from './core/contract.js';
import { FINISHED, noticeOf, type Phase, type RunStatus } from './core/progress.js';
import type { ImportReport } from './core/report.js';
import { createImporter, parseFile } from './import-file.js';
import { deleteOldRuns, fingerprintHash, importJobStore, installImportRuns, runKeys } from './store.js';

export const IMPORT_QUEUE = 'groundwork.imports';
/** Daily: idempotency records and ended runs older than GROUNDWORK_IMPORT_RUN_RETENTION_DAYS (decision 0058). */
export const IMPORT_RETENTION_QUEUE = 'groundwork.imports-retention';
/** Retries of an attempt that broke (a crash, the database); a refused file or row errors are not retried. */
const RETRY_LIMIT = 3;

/** The queue and its worker, defined at hook registration (the jobs runtime starts it with Directus). */
export function registerImportJobs(context: HookExtensionContext, config: PlatformEnv): void {
  const { database, services, getSchema } = context;
  const logger = context.logger.child({ capability: 'imports' });
  const importFile = createImporter({
    database,
    ItemsService: services.ItemsService,
    workflows: () => workflowDefinitions(database, logger).get(),
    logger,
  });
  const store = importJobStore(database);
  const accountabilityOf = createRunAs(database);

  async function end(
    run: { id: string; user_id: string; collection: string },
    status: RunStatus,
    report: ImportReport | null,
    error: string | null,
  ) {
    await store.finish(run.id, { status, report, error });
    const notice = noticeOf({ collection: run.collection, status, error }, report);
    // Once per run whatever the retries (the key), in the app only: the user is at the app or polls the run.
    await notifyDirectly(database, {
      key: `import-run:${run.id}`,
      eventType: `imports.run.${status}`,
      recipients: [run.user_id],
      channels: ['in_app'],
      ...notice,
    });
  }

  async function work(job: Job<{ run: string }>): Promise<void> {
    const run = await store.forWork(job.data.run);
    // Gone, or ended by an earlier attempt that died before the job was marked done.
    if (!run || FINISHED.includes(run.status)) return;
    if (!run.file) return end(run, 'failed', null, 'The uploaded file is no longer stored.');
    await store.start(run.id);
    const accountability = await accountabilityOf(run.user_id, run.ip);
    if (!accountability) return end(run, 'failed', null, 'The account that started the import is no longer active.');
    const schema: SchemaOverview = await getSchema();
    let phase: Phase | null = null;
    try {
      const report = await importFile({
        collection: run.collection,
        file: { bytes: run.file, name: run.file_name, contentType: run.content_type },
        options: typeof run.options === 'string' ? (JSON.parse(run.options) as ImportOptions) : run.options,
        accountability,
        schema,
        // Without the user's own key, the run's id: a retry after a crash that committed answers that commit.
        idempotencyKey: run.idempotency_key ?? `background-run:${run.id}`,
        onProgress: async (progress) => {
          await store.progress(run.id, progress, progress.phase !== phase);
          phase = progress.phase;
        },
      });
      await end(run, report.counts.errors > 0 ? 'rejected' : 'succeeded', report, null);
    } catch (error) {
      const { refusal, reason: message } = attemptFailure(error);
      // A refusal is the same on every attempt; a broken attempt is retried, then the run fails.
      if (refusal || job.attempt > RETRY_LIMIT) return end(run, 'failed', null, message);
      await store.broke(run.id, message);
      throw error;
    }
  }

  defineQueue(IMPORT_QUEUE, work, {
    retryLimit: RETRY_LIMIT,
    retryDelaySeconds: 5,
    // One import at a time per instance: each holds its file, its table and a transaction.
    concurrency: 1,
    heartbeatSeconds: config.GROUNDWORK_IMPORT_HEARTBEAT_SECONDS,
    // The heartbeat takes back a dead worker's run; expiry only bounds a live one that never ends.
    expireInSeconds: 6 * 60 * 60,
  });

  defineQueue(IMPORT_RETENTION_QUEUE, async () => {
    const deleted = await deleteOldRuns(database, config.GROUNDWORK_IMPORT_RUN_RETENTION_DAYS);
    if (deleted.runs + deleted.jobs > 0) logger.info(deleted, 'imports: deleted runs past their retention');
  });
  defineSchedule(IMPORT_RETENTION_QUEUE, '47 3 * * *');
}

export interface BackgroundRequest {
  collection: string;
  file: { bytes: Buffer; name: string; contentType: string };
  options: ImportOptions;
  accountability: Accountability;
  schema: SchemaOverview;
  idempotencyKey: string | null;
}

/**
 * Checks the file as the synchronous path does before it runs (the collection, the key, decoding and parsing: a file
 * refused as a whole is a 400 now, not a failed run), then stores it and enqueues its job in one transaction. The
 * same user's Idempotency-Key answers the run it started (409 for another file).
 */
export function createBackgroundStart(database: Knex) {
  const store = importJobStore(database);
  let installed: Promise<void> | null = null;
  return async function startBackground(request: BackgroundRequest): Promise<{ id: string; status: RunStatus }> {
    const { collection, file, options, accountability, idempotencyKey } = request;
    const user = accountability.user;
    if (!user)
      throw new InvalidPayloadError({
        issues: [
          { path: 'background', message: 'needs a signed-in user to run as and to notify (not a static token).' },
        ],
      });
    const keyIssue = idempotencyKeyIssue(idempotencyKey);
    if (keyIssue) throw new InvalidPayloadError({ issues: [{ path: 'Idempotency-Key', message: keyIssue }] });
    await parseFile(file, options);
    installed ??= installImportRuns(database).catch((error: unknown) => {
      installed = null;
      throw error;
    });
    await installed;
    const checksum = createHash('sha256').update(file.bytes).digest('hex');
    const fingerprint = fingerprintHash(runFingerprint(collection, checksum, options));
    const requestKey = runKeys(user, idempotencyKey, '').header;
    const id = randomUUID();
    const earlier = await startOnce({
      requestKey,
      fingerprint,
      conflict: 'This Idempotency-Key was used for a different import.',
      find: (key) => store.byRequestKey(key),
      start: () =>
        database.transaction(async (trx) => {
          await store.create(trx, {
            id,
            user_id: user,
            ip: accountability.ip ?? null,
            collection,
            options: { ...options, background: true },
            idempotency_key: idempotencyKey,
            request_key: requestKey,
            fingerprint,
            file_name: file.name,
            content_type: file.contentType,
            file: file.bytes,
          });
          await enqueue(trx, IMPORT_QUEUE, { run: id }, { singletonKey: id });
        }),
    });
    if (earlier) return { id: earlier.id, status: earlier.status };
    return { id, status: 'queued' };
  };
}
