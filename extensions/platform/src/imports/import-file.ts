// One import of one file, whoever asks: the HTTP route (routes.ts) and the Flow operation "Import file"
// (operation/api.ts) both call it, so both get the same parsing, checks, idempotency and report. The file's bytes are
// decoded and parsed here; run.ts checks and writes them in one transaction with the caller's accountability. The same
// file or Idempotency-Key after a successful run answers the first report and writes nothing.
import { createHash } from 'node:crypto';
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { ConflictError, ForbiddenError, InvalidPayloadError } from '../shared/errors.js';
import type { WorkflowDefinition } from '../workflows/core/definition.js';
import { runFingerprint, type ImportOptions } from './core/contract.js';
import { decodeText } from './core/decode.js';
import { formatOf, parseTable, type Parsed, type Table } from './core/parse.js';
import type { ImportReport } from './core/report.js';
import { parseWorkbook } from './core/xlsx.js';
import { ImportRefused, runImport, type ImportDeps, type ImportRequest } from './run.js';
import { findRun, fingerprintHash, installImportRuns, recordRun, runKeys } from './store.js';
import { isDataCollection } from '../shared/core/collections.js';

export const IMPORT_LIMITS = { maxColumns: 500, maxRows: 1_000_000 };
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

export const refused = (path: string, message: string) => new InvalidPayloadError({ issues: [{ path, message }] });

export interface ImportFileRequest {
  collection: string;
  file: { bytes: Buffer; name: string; contentType: string };
  options: ImportOptions;
  accountability: Accountability;
  schema: SchemaOverview;
  idempotencyKey: string | null;
  /** A background run's progress, after each chunk (run.ts). */
  onProgress?: ImportRequest['onProgress'];
}

export interface ImporterDeps {
  database: Knex;
  ItemsService: ImportDeps['ItemsService'];
  workflows: () => Promise<{ byCollection: Map<string, WorkflowDefinition> }>;
  logger: { warn(object: object, message: string): void };
}

/** The file as a table, or a 400 naming why it is refused as a whole (encoding, quoting, limits, headers). */
export async function parseFile(
  file: ImportFileRequest['file'],
  options: Pick<ImportOptions, 'format' | 'sheet' | 'encoding' | 'delimiter'>,
): Promise<Table> {
  const format = formatOf(options.format, file.name, file.contentType, file.bytes.subarray(0, 4));
  let parsed: Parsed;
  if (format === 'xlsx') parsed = await parseWorkbook(file.bytes, IMPORT_LIMITS, options.sheet);
  else {
    const decoded = decodeText(file.bytes, options.encoding);
    if (!decoded.ok) throw refused('file', decoded.reason);
    parsed = parseTable(decoded.text, format, IMPORT_LIMITS, options.delimiter);
  }
  if (!parsed.ok) throw refused('file', parsed.reason);
  return parsed.table;
}

/** The import of a file into a collection: its report (`replayed` when an earlier run answers). */
export function createImporter(deps: ImporterDeps) {
  // The bookkeeping table, made once; the first import waits for it.
  let installed: Promise<void> | null = null;
  const install = () =>
    (installed ??= installImportRuns(deps.database).catch((error) => {
      installed = null;
      throw error;
    }));
  void install().catch((error) => deps.logger.warn({ err: error }, 'imports: bookkeeping table not installed yet'));

  return async function importFile(request: ImportFileRequest): Promise<ImportReport> {
    const { collection, file, options, accountability, schema, idempotencyKey } = request;
    // System collections have their own services (password hashing, role checks): not through imports.
    if (!isDataCollection(schema, collection)) throw new ForbiddenError();
    if (idempotencyKey !== null && (idempotencyKey.length === 0 || idempotencyKey.length > 255))
      throw refused('Idempotency-Key', 'must be 1 to 255 characters.');
    const checksum = createHash('sha256').update(file.bytes).digest('hex');
    const fingerprint = runFingerprint(collection, checksum, options);
    const keys = runKeys(accountability.user ?? null, idempotencyKey, fingerprint);
    await install();
    const replay = async () => {
      const byHeader = keys.header ? await findRun(deps.database, keys.header) : null;
      if (byHeader && byHeader.fingerprint !== fingerprintHash(fingerprint))
        throw new ConflictError({ reason: 'This Idempotency-Key was used for a different import.' });
      const stored = byHeader ?? (await findRun(deps.database, keys.file));
      return stored ? { ...stored.report, replayed: true, dry_run: options.dry_run } : null;
    };
    if (!options.dry_run) {
      const previous = await replay();
      if (previous) return previous;
    }

    const table = await parseFile(file, options);

    try {
      return await runImport(
        { database: deps.database, ItemsService: deps.ItemsService, workflows: deps.workflows },
        {
          collection,
          options,
          table,
          checksum,
          accountability,
          schema,
          onProgress: request.onProgress,
          onSuccess: (trx, done) =>
            recordRun(trx, { keys, fingerprint, collection, user: accountability.user ?? null, report: done }),
        },
      );
    } catch (error) {
      if (error instanceof ImportRefused) throw refused('file', error.reason);
      // The same run finished first in another request (the key's row): answer its report.
      if ((error as { code?: string }).code === '23505' && String((error as Error).message).includes('import_run')) {
        const previous = await replay();
        if (previous) return previous;
      }
      throw error;
    }
  };
}
