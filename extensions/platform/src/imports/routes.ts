// HTTP adapter: POST /groundwork/v1/imports/:collection (issue 11, decision 0042). The file (multipart, or the raw
// body) is decoded and parsed here; run.ts checks and writes it in one transaction with the caller's accountability.
// The same file or Idempotency-Key after a successful run answers the first report and writes nothing.
import { createHash } from 'node:crypto';
import type { Accountability, EndpointExtensionContext } from '@directus/types';
import type { Request, Response, Router } from 'express';
import { ConflictError, ForbiddenError, InvalidCredentialsError, InvalidPayloadError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import type { WorkflowDefinition } from '../workflows/core/definition.js';
import { importOptions, importParams, runFingerprint } from './core/contract.js';
import { decodeText } from './core/decode.js';
import { formatOf, parseTable, type Parsed } from './core/parse.js';
import { parseWorkbook } from './core/xlsx.js';
import { reportCsv, type ImportReport } from './core/report.js';
import { receiveFile } from './receive.js';
import { ImportRefused, importTimings, runImport } from './run.js';
import { findRun, fingerprintHash, installImportRuns, recordRun, runKeys } from './store.js';

export const IMPORT_LIMITS = { maxColumns: 500, maxRows: 1_000_000 };
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

const refused = (path: string, message: string) => new InvalidPayloadError({ issues: [{ path, message }] });

export function registerImportRoutes(
  router: Router,
  context: EndpointExtensionContext,
  workflows: () => Promise<{ byCollection: Map<string, WorkflowDefinition> }>,
): void {
  const maxBytes = Number(context.env['GROUNDWORK_IMPORT_MAX_BYTES'] ?? DEFAULT_MAX_BYTES) || DEFAULT_MAX_BYTES;
  // The bookkeeping table, made once; the first import waits for it.
  let installed: Promise<void> | null = null;
  const install = () =>
    (installed ??= installImportRuns(context.database).catch((error) => {
      installed = null;
      throw error;
    }));
  void install().catch((error) => context.logger.warn({ err: error }, 'imports: bookkeeping table not installed yet'));

  const answer = (req: Request, res: Response, report: ImportReport, csv: boolean) => {
    if (csv) {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="import-${report.collection}-report.csv"`);
      res.send(reportCsv(report));
    } else res.json({ data: report });
  };

  router.post(
    '/v1/imports/:collection',
    route(async (req, res) => {
      const accountability = req.accountability as Accountability | undefined;
      if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
      const { collection } = parseInput(importParams, req.params, 'params');
      const schema = req.schema!;
      // System collections have their own services (password hashing, role checks): not through this route.
      if (collection.startsWith('directus_') || !schema.collections[collection]) throw new ForbiddenError();
      const received = await receiveFile(req, maxBytes);
      const options = parseInput(importOptions, { ...req.query, ...received.fields }, 'body');
      const csv =
        options.report === 'csv' || (options.report === undefined && req.accepts(['json', 'text/csv']) === 'text/csv');
      const checksum = createHash('sha256').update(received.bytes).digest('hex');

      const idempotencyHeader = req.get('idempotency-key') ?? null;
      if (idempotencyHeader !== null && (idempotencyHeader.length === 0 || idempotencyHeader.length > 255))
        throw refused('Idempotency-Key', 'must be 1 to 255 characters.');
      const fingerprint = runFingerprint(collection, checksum, options);
      const keys = runKeys(accountability.user ?? null, idempotencyHeader, fingerprint);
      await install();
      const replay = async () => {
        const byHeader = keys.header ? await findRun(context.database, keys.header) : null;
        if (byHeader && byHeader.fingerprint !== fingerprintHash(fingerprint))
          throw new ConflictError({ reason: 'This Idempotency-Key was used for a different import.' });
        const stored = byHeader ?? (await findRun(context.database, keys.file));
        return stored ? { ...stored.report, replayed: true, dry_run: options.dry_run } : null;
      };
      if (!options.dry_run) {
        const previous = await replay();
        if (previous) return answer(req, res, previous, csv);
      }

      const format = formatOf(options.format, received.name, received.contentType, received.bytes.subarray(0, 4));
      let parsed: Parsed;
      if (format === 'xlsx') parsed = await parseWorkbook(received.bytes, IMPORT_LIMITS, options.sheet);
      else {
        const decoded = decodeText(received.bytes, options.encoding);
        if (!decoded.ok) throw refused('file', decoded.reason);
        parsed = parseTable(decoded.text, format, IMPORT_LIMITS, options.delimiter);
      }
      if (!parsed.ok) throw refused('file', parsed.reason);

      let report: ImportReport;
      try {
        report = await runImport(
          { database: context.database, ItemsService: context.services.ItemsService, workflows },
          {
            collection,
            options,
            table: parsed.table,
            checksum,
            accountability,
            schema,
            onSuccess: (trx, done) =>
              recordRun(trx, { keys, fingerprint, collection, user: accountability.user ?? null, report: done }),
          },
        );
      } catch (error) {
        if (error instanceof ImportRefused) throw refused('file', error.reason);
        // The same run finished first in another request (the key's row): answer its report.
        if ((error as { code?: string }).code === '23505' && String((error as Error).message).includes('import_run')) {
          const previous = await replay();
          if (previous) return answer(req, res, previous, csv);
        }
        throw error;
      }
      // The bench's breakdown of where the time goes (milliseconds per phase since boot).
      if (context.env['GROUNDWORK_IMPORT_PROFILE'])
        res.setHeader(
          'x-import-timings',
          JSON.stringify(Object.fromEntries(Object.entries(importTimings).map(([k, v]) => [k, Math.round(v)]))),
        );
      answer(req, res, report, csv);
    }),
  );
}
