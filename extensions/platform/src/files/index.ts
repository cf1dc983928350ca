// Files (decision 0038): uploads checked by content and scanned before they are stored (upload.ts), server-side
// fields of directus_files set by the server only; URL imports pass the same check (import.ts), resumable uploads
// are refused. Production requires the scanner unless GROUNDWORK_FILES_SCAN=off names the opt-out (decision 0061).
import os from 'node:os';
import path from 'node:path';
import type { HookExtensionContext, RegisterFunctions } from '@directus/types';
import type { Application, NextFunction, Request, Response } from 'express';
import type { SecurityEvent } from '../security/core/events.js';
import type { SecurityStore } from '../security/store.js';
import { FieldForbiddenError } from '../shared/errors.js';
import type { PlatformEnv } from '../shared/env.js';
import { parseByteSize } from './core/byte-size.js';
import { parseRoleLimits } from './core/limits.js';
import { serverFieldsIn } from './core/names.js';
import { chooseScanner } from './core/scan.js';
import { clamdScanner } from './scanner.js';
import { importHandler } from './import.js';
import { quotaOwners } from './quota.js';
import { registerRenditions, renditionStore, scheduleRenditions } from './renditions.js';
import { uploadHandler, type UploadDeps } from './upload.js';

/** A comma-separated env value, or the array Directus may have made of it. */
const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value.map(String) : String(value).split(',')).map((item) => item.trim()).filter(Boolean);

type HookMeta = { accountability?: { user?: string | null } | null };

/** The scanner decision (decision 0061) for this process; checkEnv has already stopped the boot on its error. */
const scanChoice = (context: Pick<HookExtensionContext, 'env'>, config: PlatformEnv) =>
  chooseScanner({
    nodeEnv: typeof context.env['NODE_ENV'] === 'string' ? context.env['NODE_ENV'] : undefined,
    scan: config.GROUNDWORK_FILES_SCAN,
    clamdHost: config.GROUNDWORK_CLAMD_HOST,
  });

/** What every check of stored bytes needs (uploads, URL imports, inbound email attachments): one configuration. */
export function uploadDeps(
  context: Pick<HookExtensionContext, 'env' | 'services' | 'logger' | 'database'>,
  config: PlatformEnv,
  securityStore: SecurityStore,
  logger = context.logger.child({ capability: 'files' }),
): UploadDeps {
  const { env, services } = context;
  const choice = scanChoice(context, config);
  const renditions = renditionStore(context.database);
  const scanner =
    choice.ok && choice.scanner === 'clamd'
      ? clamdScanner({
          host: choice.host,
          port: config.GROUNDWORK_CLAMD_PORT,
          timeoutMs: config.GROUNDWORK_CLAMD_TIMEOUT_MS,
        })
      : null;
  const quarantineDir = config.GROUNDWORK_FILES_QUARANTINE_PATH ?? path.join(os.tmpdir(), 'groundwork-quarantine');
  return {
    services,
    logger,
    policy: {
      allowList: listOf(env['FILES_MIME_TYPE_ALLOW_LIST'] ?? '*/*'),
      maxImagePixels: config.GROUNDWORK_FILES_MAX_IMAGE_PIXELS,
    },
    maxUploadBytes: parseByteSize(env['FILES_MAX_UPLOAD_SIZE']),
    roleLimits: parseRoleLimits(config.GROUNDWORK_FILES_ROLE_UPLOAD_LIMITS),
    scanner,
    quarantineDir,
    record: (event: SecurityEvent) => securityStore.record(event),
    quota: {
      database: context.database,
      owners: quotaOwners,
      defaultQuotaBytes: parseByteSize(config.GROUNDWORK_FILES_OWNER_QUOTA ?? null),
    },
    afterUpload: (fileId: string) => scheduleRenditions({ database: context.database, logger }, renditions, fileId),
  };
}

export function registerFiles(
  register: RegisterFunctions,
  context: HookExtensionContext,
  config: PlatformEnv,
  securityStore: SecurityStore,
): void {
  const { init, filter } = register;
  const deps = uploadDeps(context, config, securityStore);
  // Image presets rendered by a job after the upload, and served or refused without a decode (decision 0064).
  registerRenditions(register, context, renditionStore(context.database));
  const choice = scanChoice(context, config);
  if (choice.ok && choice.scanner === 'none') deps.logger.warn(`files: ${choice.warning}`);
  const upload = uploadHandler(deps);
  // Bytes that would skip the check: resumable (TUS) uploads (off unless TUS_ENABLED).
  const noOtherWayIn = (_req: Request, _res: Response, next: NextFunction) =>
    next(
      new FieldForbiddenError({
        reason: 'Files are added by a multipart upload to /files, where their content is checked.',
      }),
    );

  // After authentication (req.accountability, req.schema), before Directus's /files router.
  init('routes.before', (meta) => {
    const app = meta['app'] as Application;
    app.post('/files/import', importHandler(deps));
    app.use('/files/tus', noOtherWayIn);
    app.post('/files', upload);
    app.patch('/files/:pk', upload);
  });

  // A row without an upload (JSON POST /files, GraphQL, a nested create) would name bytes the server did not check,
  // or another file's (filename_disk). Directus's own upload creates and updates its row without events, so these
  // filters see only what clients send. No accountability: Directus's or an extension's own work.
  filter('files.create', (payload, _meta, ctx) => {
    if ((ctx as HookMeta).accountability) {
      throw new FieldForbiddenError({
        reason: 'Files are created by a multipart upload to /files, not from a payload.',
      });
    }
    return payload;
  });
  filter('files.update', (payload, _meta, ctx) => {
    if (!(ctx as HookMeta).accountability || !payload || typeof payload !== 'object') return payload;
    const fields = serverFieldsIn(payload as Record<string, unknown>);
    if (fields.length > 0) {
      throw new FieldForbiddenError({
        reason: `${fields.join(', ')}: set by the server from the uploaded bytes only.`,
      });
    }
    return payload;
  });
}
