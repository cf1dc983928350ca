// Multipart uploads (POST /files, PATCH /files/:pk), taken before Directus's own handler (decision 0038). Directus
// streams the bytes into storage after creating the row and checks only the declared type; here the upload goes to
// a private temporary file first, then its content is decided (core/content.ts), it is scanned, and only a clean,
// accepted file reaches Directus's FilesService.uploadOne with the caller's accountability, so the permission checks
// are Directus's own. A refused, infected or interrupted upload leaves no row and no bytes in storage.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, rename, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { ContentTooLargeError, isDirectusError } from '@directus/errors';
import type { Accountability, HookExtensionContext } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import {
  FieldForbiddenError,
  FileInfectedError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  UploadRefusedError,
} from '../shared/errors.js';
import type { SecurityEvent } from '../security/core/events.js';
import { decideContent, HEAD_BYTES, type ContentPolicy } from './core/content.js';
import { uploadLimitFor } from './core/limits.js';
import { sanitizeFileName, SERVER_FIELDS } from './core/names.js';
import { withinQuota, type QuotaDeps } from './quota.js';
import type { Scanner } from './scanner.js';

export interface UploadDeps {
  services: HookExtensionContext['services'];
  logger: HookExtensionContext['logger'];
  policy: ContentPolicy;
  maxUploadBytes: number | null;
  /** Lower limits for some roles (GROUNDWORK_FILES_ROLE_UPLOAD_LIMITS). */
  roleLimits: Map<string, number>;
  scanner: Scanner | null;
  quarantineDir: string;
  record: (event: SecurityEvent) => Promise<void>;
  /** Storage quotas per owner (quota.ts): the check and the store share one locked transaction. */
  quota: QuotaDeps;
  /** Schedules the renditions of a stored upload; the routes await it before answering. Never throws. */
  afterUpload: (fileId: string) => Promise<void>;
}

interface Received {
  fields: Record<string, unknown>;
  file: { path: string; name: string; size: number } | null;
}

class UploadInterrupted extends Error {}

/** Reads the multipart body: the permitted fields, and the one file into `dir`. Rejects at the first refusal. */
function receive(req: Request, dir: string, maxBytes: number | null): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    const fields: Record<string, unknown> = {};
    let file: Received['file'] = null;
    let writing: Promise<void> | null = null;
    let fileStream: Readable | null = null;
    let written: WriteStream | null = null;
    let done = false;
    const fail = (error: unknown) => {
      if (done) return;
      done = true;
      req.unpipe();
      // The parser gets no more data, so the file part would never end: destroy it, and the pipeline closes the file.
      fileStream?.destroy();
      written?.destroy();
      req.resume(); // drain what is left, so the refusal can be answered
      reject(error);
    };
    const parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { files: 1, fields: 20, fieldSize: 64 * 1024, ...(maxBytes ? { fileSize: maxBytes } : {}) },
    });
    parser.on('field', (name, value) => {
      if ((SERVER_FIELDS as readonly string[]).includes(name)) {
        fail(new FieldForbiddenError({ reason: `"${name}" is set by the server, not by the client.` }));
      } else {
        // As Directus's own handler: the words null, true and false are those values.
        const word = value.trim();
        fields[name] = word === 'null' ? null : word === 'true' ? true : word === 'false' ? false : value;
      }
    });
    parser.on('file', (_name, stream, info) => {
      // Refused already (a field before the file, which the parser may still emit from what it has buffered).
      if (done) return void stream.resume();
      const target = path.join(dir, 'upload');
      file = { path: target, name: info.filename ?? '', size: 0 };
      const received = file;
      fileStream = stream;
      stream.on('data', (chunk: Buffer) => (received.size += chunk.length));
      stream.on('limit', () => fail(new ContentTooLargeError()));
      written = createWriteStream(target, { mode: 0o600 });
      writing = pipeline(stream, written);
      writing.catch(fail);
    });
    parser.on('filesLimit', () => fail(new UploadRefusedError({ reason: 'Send one file per upload.' })));
    parser.on('fieldsLimit', () => fail(new UploadRefusedError({ reason: 'Too many fields.' })));
    parser.on('error', (error) =>
      fail(new UploadRefusedError({ reason: `The multipart body is malformed: ${error.message}` })),
    );
    parser.on('close', () => {
      Promise.resolve(writing)
        .then(() => {
          if (done) return;
          done = true;
          resolve({ fields, file });
        })
        .catch(fail);
    });
    // A client that goes away midway: nothing is kept (the caller removes the temporary folder).
    req.on('close', () => {
      if (!req.complete) fail(new UploadInterrupted('the client closed the upload midway'));
    });
    req.pipe(parser);
  });
}

export async function headOf(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function moveTo(source: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const target = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}`);
  try {
    await rename(source, target);
  } catch {
    // Another file system: copy, then remove the original.
    await copyFile(source, target);
    await unlink(source);
  }
  return target;
}

/** Who uploads, for logs and security events. */
export interface Uploader {
  accountability: Accountability;
  requestId: string | null;
}

/**
 * The check every upload passes, on its temporary file: the content decision, then the scan. Answers the type and
 * download name to store it with; throws the refusal (400, 415, 422 after quarantining, 503 without a scanner answer).
 */
export async function checkFile(
  deps: UploadDeps,
  file: { path: string; name: string; size: number },
  { accountability, requestId }: Uploader,
): Promise<{ type: string; name: string }> {
  const { logger, policy, scanner } = deps;
  const decision = await decideContent(await headOf(file.path), file.size, file.name, policy);
  if (!decision.ok) {
    logger.info({ requestId, user: accountability.user, reason: decision.reason }, 'files: upload refused');
    if (decision.status === 400) throw new UploadRefusedError({ reason: decision.reason });
    throw new UnsupportedMediaTypeError({ reason: decision.reason });
  }
  const name = sanitizeFileName(file.name, decision.extension);
  if (scanner) {
    let result;
    try {
      result = await scanner.scan(file.path);
    } catch (error) {
      logger.error({ err: error, requestId }, `files: ${scanner.name} could not scan an upload`);
      throw new ServiceUnavailableError({ service: 'malware scanner', reason: 'the file could not be scanned' });
    }
    if (result.status === 'infected') {
      const kept = await moveTo(file.path, deps.quarantineDir);
      await deps.record({
        type: 'file',
        outcome: 'quarantined',
        actorId: accountability.user ?? null,
        userId: accountability.user ?? null,
        ip: accountability.ip ?? null,
        requestId,
        detail: { signature: result.signature, quarantined: path.basename(kept), name, size: file.size },
      });
      logger.warn({ requestId, signature: result.signature, quarantined: kept }, 'files: upload quarantined');
      throw new FileInfectedError({ signature: result.signature });
    }
  }
  return { type: decision.type, name };
}

/** A title like Directus's own (formatTitle of the name without extension), kept simple. */
const titleOf = (name: string) => name.replace(/\.[^.]*$/, '').replace(/[_-]+/g, ' ');

export function uploadHandler(deps: UploadDeps) {
  const { services, logger } = deps;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.is('multipart/form-data')) return next();
    const accountability = req.accountability as Accountability | undefined;
    const schema = req.schema;
    if (!accountability || !schema)
      return next(new FieldForbiddenError({ reason: 'Uploads need an authenticated caller.' }));
    let dir: string | null = null;
    const work = async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'groundwork-upload-'));
      const limit = uploadLimitFor(accountability.role, deps.maxUploadBytes, deps.roleLimits);
      const { fields, file } = await receive(req, dir, limit);
      if (!file) throw new UploadRefusedError({ reason: 'No file was included in the body.' });
      const { type, name } = await checkFile(deps, file, { accountability, requestId: req.id ?? null });
      const service = new services.FilesService({ accountability, schema });
      const existing = typeof req.params['pk'] === 'string' ? req.params['pk'] : undefined;
      const key = await withinQuota(deps.quota, accountability.user, file.size, (transaction) => {
        const writer = transaction ? new services.FilesService({ accountability, schema, knex: transaction }) : service;
        // Closed whatever happens: a refusal before Directus reads it (a permission) would leave the file open.
        const bytes = createReadStream(file.path);
        return writer
          .uploadOne(
            bytes,
            {
              ...(existing ? {} : { title: titleOf(name) }),
              ...fields,
              filename_download: name,
              type,
            },
            existing,
          )
          .finally(() => bytes.destroy());
      });
      // Before the answer, so the client's first request for a preset already finds it pending (decision 0064).
      await deps.afterUpload(String(key));
      try {
        res.json({ data: await service.readOne(key, (req as Request & { sanitizedQuery?: object }).sanitizedQuery) });
      } catch (error) {
        // As Directus: an uploader who may not read the file gets no body.
        if (isDirectusError(error, 'FORBIDDEN')) res.status(204).end();
        else throw error;
      }
    };
    work()
      .catch((error: unknown) => {
        if (error instanceof UploadInterrupted) {
          logger.info({ requestId: req.id }, `files: ${error.message}; nothing kept`);
          if (!res.headersSent) res.destroy();
          return;
        }
        next(error);
      })
      .finally(() => {
        if (dir) rm(dir, { recursive: true, force: true }).catch(() => undefined);
      });
  };
}
