// Image renditions made off the request path (issue 15 item 4; decision 0064). An accepted image upload (any path
// that ends in Directus's uploadOne: POST/PATCH /files, imports, inbound email) records every named preset as
// pending and enqueues one job, which renders each through Directus's own AssetsService, so the renditions land
// under Directus's own file names and Directus serves them from storage from then on. The gate before /assets
// answers a `?key=` request for a file still pending (503, Retry-After; a system key of the admin app is first held
// up to SYSTEM_KEY_HOLD_MS for the renders) or failed (422, at once: no request ever decodes a file whose render
// failed) after checking that the caller may read the file; anyone else gets Directus's own answer.
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { Knex } from 'knex';
import type { Application, NextFunction, Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { defineQueue, enqueue, type Job } from '../jobs/index.js';
import { AssetNotRenderableError, ServiceUnavailableError } from '../shared/errors.js';
import { beforeInstall, installUnderLock } from '../shared/install.js';
import {
  answerAfterHold,
  gateAnswer,
  shouldHold,
  isTransformable,
  presetKeys,
  renderOutcome,
  requestedKey,
  SKIPPED_AFTER,
  type RenditionRecord,
} from './core/renditions.js';

export const RENDITIONS_QUEUE = 'files.renditions';
const FILE_RENDITION = 'groundwork.file_rendition';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Attempts while the upload's own transaction may not have committed its row yet (quota uploads commit after). */
const ROW_WAIT_ATTEMPTS = 3;
const RETRY_LIMIT = 5;

type Preset = Record<string, unknown> & { key: string };

export type RenditionStore = ReturnType<typeof renditionStore>;

export function renditionStore(database: Knex) {
  let installed: Promise<void> | null = null;
  const install = () =>
    (installed ??= installUnderLock(database, [
      'CREATE SCHEMA IF NOT EXISTS groundwork',
      // Not a Directus collection: Directus serves only `public`, so no /items or GraphQL route reaches the states.
      `CREATE TABLE IF NOT EXISTS ${FILE_RENDITION} (
        file_id uuid NOT NULL,
        preset text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
        reason text,
        -- The upload these states are for: a replaced file's bytes get new ones, the same upload is scheduled once.
        uploaded_on timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (file_id, preset)
      )`,
    ]).catch((error: unknown) => {
      installed = null;
      throw error;
    }));
  return {
    install,
    async recordsOf(fileId: string): Promise<RenditionRecord[]> {
      return beforeInstall(
        database(FILE_RENDITION).select('preset', 'status', 'reason').where('file_id', fileId).orderBy('preset'),
        [],
      );
    },
    /**
     * Records every key pending for this upload and enqueues its job, once per upload: the upload route and
     * Directus's files.upload action both ask, whichever comes first does it (a lock per file, the upload's time).
     */
    async schedule(fileId: string, uploadedOn: string | Date, keys: readonly string[]): Promise<boolean> {
      if (keys.length === 0) return false;
      await install();
      return database.transaction(async (trx) => {
        await trx.raw("SELECT pg_advisory_xact_lock(hashtextextended('groundwork.file_rendition:' || ?, 0))", [fileId]);
        const same = await trx(FILE_RENDITION)
          .where('file_id', fileId)
          .whereRaw('uploaded_on = ?::timestamptz', [new Date(uploadedOn).toISOString()])
          .first('preset');
        if (same) return false;
        await trx(FILE_RENDITION).where('file_id', fileId).delete();
        const uploaded_on = new Date(uploadedOn).toISOString();
        await trx(FILE_RENDITION).insert(
          keys.map((preset) => ({ file_id: fileId, preset, status: 'pending', uploaded_on })),
        );
        await enqueue(trx, RENDITIONS_QUEUE, { file: fileId });
        return true;
      });
    },
    async settle(fileId: string, preset: string, status: 'ready' | 'failed', reason: string | null): Promise<void> {
      await database(FILE_RENDITION)
        .where({ file_id: fileId, preset })
        .update({ status, reason, updated_at: database.fn.now() });
    },
    async forget(fileId: string): Promise<void> {
      await database(FILE_RENDITION).where('file_id', fileId).delete();
    },
  };
}

/**
 * Schedules the renditions of an accepted upload (its row read here unless given). Never fails the upload: without
 * records its presets are rendered on request, as before decision 0064, and the error is logged.
 */
export async function scheduleRenditions(
  context: Pick<HookExtensionContext, 'database' | 'logger'>,
  store: RenditionStore,
  fileId: string,
  known?: { type: string | null; uploadedOn: string | Date },
): Promise<void> {
  const { database } = context;
  try {
    const row =
      known ??
      (await database('directus_files')
        .select('type', 'uploaded_on')
        .where('id', fileId)
        .first()
        .then((found?: { type: string | null; uploaded_on: Date | null }) =>
          found?.uploaded_on ? { type: found.type, uploadedOn: found.uploaded_on } : undefined,
        ));
    if (!row || !isTransformable(row.type)) return;
    await store.schedule(fileId, row.uploadedOn, presetKeys(await projectPresets(database)));
  } catch (error) {
    context.logger.error({ err: error, file: fileId }, 'files: could not schedule the renditions of an upload');
  }
}

async function projectPresets(database: Knex): Promise<Preset[]> {
  const row = await database('directus_settings').select('storage_asset_presets').first();
  let presets: unknown = row?.storage_asset_presets ?? null;
  if (typeof presets === 'string') presets = JSON.parse(presets);
  const keys = new Set(presetKeys(presets));
  return Array.isArray(presets) ? (presets as Preset[]).filter((preset) => keys.delete(String(preset?.key))) : [];
}

export function registerRenditions(
  { init, action }: RegisterFunctions,
  context: HookExtensionContext,
  store: RenditionStore,
): void {
  const { database, services, getSchema } = context;
  const logger = context.logger.child({ capability: 'files.renditions' });

  // Directus emits files.upload after it stored the bytes and their metadata, whoever uploaded them (imports in the
  // background, inbound email). The upload routes schedule too, before they answer (uploadDeps): this action may run
  // after the client's next request, or before the upload's transaction commits.
  action('files.upload', async (meta) => {
    const { key, payload } = meta as { key?: unknown; payload?: { type?: unknown; uploaded_on?: unknown } };
    if (typeof key !== 'string' || typeof payload?.uploaded_on !== 'string') return;
    const type = typeof payload.type === 'string' ? payload.type : null;
    await scheduleRenditions(context, store, key, { type, uploadedOn: payload.uploaded_on });
  });

  async function render(job: Job<{ file: string }>): Promise<void> {
    const fileId = job.data.file;
    const row = await database('directus_files').select('id').where('id', fileId).first();
    if (!row) {
      if (job.attempt <= ROW_WAIT_ATTEMPTS) throw new Error('the file row is not visible yet');
      return store.forget(fileId); // deleted since
    }
    const presets = await projectPresets(database);
    const pending = (await store.recordsOf(fileId)).filter((record: RenditionRecord) => record.status === 'pending');
    // No accountability: the job makes renditions for whoever may read the file later and hands them to nobody;
    // Directus serves each only after its own read check of the caller (and the gate checks first). The uploader's
    // accountability would be wrong for email-imported files and for files whose access changes later.
    const assets = new services.AssetsService({ schema: await getSchema({ database }), knex: database });
    let failedFirst: string | null = null;
    for (const record of pending) {
      const preset = presets.find((candidate) => candidate.key === record.preset);
      if (failedFirst || !preset) {
        await store.settle(fileId, record.preset, 'failed', preset ? SKIPPED_AFTER(failedFirst!) : 'preset removed');
        continue;
      }
      try {
        // The controller's parameters for `?key=`: the preset itself (Directus merges the key's preset the same way).
        const asset = await assets.getAsset(fileId, { transformationParams: { ...preset } });
        // getAsset wrote the rendition to storage before it returns; its read stream is not needed.
        (asset.stream as Readable).destroy();
        await store.settle(fileId, record.preset, 'ready', null);
      } catch (error) {
        const outcome = renderOutcome(error);
        if (outcome.kind === 'declined') return store.forget(fileId);
        if (outcome.kind === 'retry') {
          if (job.attempt <= RETRY_LIMIT) {
            logger.warn({ err: error, file: fileId, preset: record.preset }, 'files: rendition deferred');
            throw error;
          }
          // Out of retries on an error that is not the image's own (storage unreachable, sharp busy): "failed" would
          // refuse the presets for good over a passing outage, so the file goes back to Directus's on-request renders.
          logger.warn(
            { err: error, file: fileId, preset: record.preset },
            'files: renditions given up, left to Directus',
          );
          return store.forget(fileId);
        }
        logger.warn({ file: fileId, preset: record.preset, reason: outcome.reason }, 'files: rendition failed');
        await store.settle(fileId, record.preset, 'failed', outcome.reason);
        failedFirst = record.preset;
      }
    }
  }

  defineQueue(RENDITIONS_QUEUE, render, {
    retryLimit: RETRY_LIMIT,
    retryDelaySeconds: 2,
    // One render at a time per instance: each decodes a whole original; requests keep sharp's other slots.
    concurrency: 1,
  });

  const gate = (req: Request, res: Response, next: NextFunction): void => {
    const key = requestedKey(req.query as Record<string, unknown>);
    const id = String(req.params['pk'] ?? '').substring(0, 36);
    if (!key || !UUID.test(id)) return next();
    const decide = async () => {
      let answer = gateAnswer(await store.recordsOf(id), key);
      if (answer.kind === 'pass') return next();
      // A caller who may not read the file gets Directus's own answer, so the state leaks nothing.
      if (!req.schema) return next();
      try {
        await new services.FilesService({ accountability: req.accountability, schema: req.schema }).readOne(id, {
          fields: ['id'],
        });
      } catch {
        return next();
      }
      if (shouldHold(answer, key)) {
        let gone = false;
        // The response's close before it was written: the client went away (a request's own close fires once read).
        res.once('close', () => (gone = true));
        answer = await answerAfterHold(() => store.recordsOf(id), key, {
          now: Date.now,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          gone: () => gone,
        });
        if (gone) return;
        if (answer.kind === 'pass') return next();
      }
      if (answer.kind === 'wait') {
        res.setHeader('Retry-After', String(answer.retryAfterSeconds));
        return next(
          new ServiceUnavailableError({
            service: 'assets',
            reason: `the image's renditions are being made; try again in ${answer.retryAfterSeconds} s`,
          }),
        );
      }
      next(new AssetNotRenderableError({ key, reason: answer.reason }));
    };
    decide().catch(next);
  };

  // After authentication (req.accountability, req.schema), before Directus's /assets router.
  init('routes.before', (meta) => {
    (meta['app'] as Application).get('/assets/:pk/:filename', gate);
    (meta['app'] as Application).get('/assets/:pk', gate);
  });
}
