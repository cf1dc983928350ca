// Imports by URL (POST /files/import), taken before Directus's handler: Directus's own importOne still fetches the
// URL (its IMPORT_IP_DENY_LIST, its allow list on the declared type), but through a FilesService whose uploadOne
// first lands the bytes in a temporary file and passes them through the same check as a multipart upload (upload.ts).
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ContentTooLargeError, isDirectusError } from '@directus/errors';
import type { Accountability } from '@directus/types';
import type { Request } from 'express';
import { FieldForbiddenError, ServiceUnavailableError, UploadRefusedError } from '../shared/errors.js';
import { route } from '../shared/http.js';
import { uploadLimitFor } from './core/limits.js';
import { serverFieldsIn } from './core/names.js';
import { withinQuota } from './quota.js';
import { checkFile, type Uploader, type UploadDeps } from './upload.js';

type FilesServiceClass = new (options: Record<string, unknown>) => {
  schema: unknown;
  uploadOne(stream: Readable, data: Record<string, unknown>, primaryKey?: string, opts?: unknown): Promise<string>;
  importOne(url: string, body: Record<string, unknown>, options?: unknown): Promise<string>;
  readOne(key: string, query?: unknown): Promise<unknown>;
};

/** Directus's FilesService, with every stored upload (importOne's included) checked first. */
function checkedFilesService(deps: UploadDeps, uploader: Uploader): FilesServiceClass {
  const Base = deps.services.FilesService as unknown as FilesServiceClass;
  return class CheckedFilesService extends Base {
    override async uploadOne(stream: Readable, data: Record<string, unknown>, primaryKey?: string, opts?: unknown) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'groundwork-upload-'));
      let bytes = null as Readable | null;
      try {
        const target = path.join(dir, 'upload');
        let size = 0;
        const max = uploadLimitFor(uploader.accountability.role, deps.maxUploadBytes, deps.roleLimits);
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            size += chunk.length;
            if (max && size > max) callback(new ContentTooLargeError());
            else callback(null, chunk);
          },
        });
        await pipeline(stream, counter, createWriteStream(target, { mode: 0o600 })).catch((error: unknown) => {
          if (isDirectusError(error)) throw error;
          // The source closed or reset the transfer midway (Node's "aborted"): as Directus answers a source it
          // cannot fetch, a 503 naming it, not a 500; what arrived is removed with the folder below.
          throw new ServiceUnavailableError({
            service: 'external-file',
            reason: `the source stopped sending midway (${error instanceof Error ? error.message : String(error)})`,
          });
        });
        const name = typeof data['filename_download'] === 'string' ? data['filename_download'] : '';
        const checked = await checkFile(deps, { path: target, name, size }, uploader);
        const store = { ...data, filename_download: checked.name, type: checked.type };
        return await withinQuota(deps.quota, uploader.accountability.user, size, (transaction) => {
          // Closed whatever happens: a refusal before Directus reads it (a permission) would leave the file open.
          bytes = createReadStream(target);
          if (!transaction) return super.uploadOne(bytes, store, primaryKey, opts);
          // Within a quota: the row and its size are written in the locked transaction (quota.ts).
          const writer = new Base({ accountability: uploader.accountability, schema: this.schema, knex: transaction });
          return writer.uploadOne(bytes, store, primaryKey, opts);
        });
      } finally {
        bytes?.destroy();
        await rm(dir, { recursive: true, force: true });
      }
    }
  };
}

export function importHandler(deps: UploadDeps) {
  return route(async (req: Request, res) => {
    const accountability = req.accountability as Accountability | undefined;
    const schema = req.schema;
    if (!accountability || !schema) throw new FieldForbiddenError({ reason: 'Imports need an authenticated caller.' });
    const body = (req.body ?? {}) as { url?: unknown; data?: unknown; options?: unknown };
    if (typeof body.url !== 'string' || body.url === '') throw new UploadRefusedError({ reason: '"url" is required.' });
    const data = body.data ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new UploadRefusedError({ reason: '"data" must be an object.' });
    }
    const given = data as Record<string, unknown>;
    const server = serverFieldsIn(given);
    if (server.length > 0) {
      throw new FieldForbiddenError({ reason: `${server.join(', ')}: set by the server, not by the client.` });
    }
    const Service = checkedFilesService(deps, { accountability, requestId: req.id ?? null });
    const service = new Service({ accountability, schema });
    const key = await service.importOne(body.url, given, body.options);
    // Before the answer, so a preset asked at once finds the renditions pending (decision 0064).
    await deps.afterUpload(String(key));
    try {
      res.json({ data: await service.readOne(key, (req as Request & { sanitizedQuery?: object }).sanitizedQuery) });
    } catch (error) {
      if (isDirectusError(error, 'FORBIDDEN')) res.status(204).end();
      else throw error;
    }
  });
}
