// HTTP adapter: POST /groundwork/v1/imports/:collection (issue 11, decision 0042). The file (multipart, or the raw
// body) is received here and imported by import-file.ts, which the Flow operation "Import file" shares.
import type { Accountability, EndpointExtensionContext } from '@directus/types';
import type { Request, Response, Router } from 'express';
import { ForbiddenError, InvalidCredentialsError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import type { WorkflowDefinition } from '../workflows/core/definition.js';
import { importOptions, importParams } from './core/contract.js';
import { reportCsv, type ImportReport } from './core/report.js';
import { createImporter, DEFAULT_MAX_BYTES } from './import-file.js';
import { receiveFile } from './receive.js';
import { importTimings } from './run.js';

export { IMPORT_LIMITS } from './import-file.js';

export function registerImportRoutes(
  router: Router,
  context: EndpointExtensionContext,
  workflows: () => Promise<{ byCollection: Map<string, WorkflowDefinition> }>,
): void {
  const maxBytes = Number(context.env['GROUNDWORK_IMPORT_MAX_BYTES'] ?? DEFAULT_MAX_BYTES) || DEFAULT_MAX_BYTES;
  const importFile = createImporter({
    database: context.database,
    ItemsService: context.services.ItemsService,
    workflows,
    logger: context.logger,
  });

  const answer = (res: Response, report: ImportReport, csv: boolean) => {
    if (csv) {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="import-${report.collection}-report.csv"`);
      res.send(reportCsv(report));
    } else res.json({ data: report });
  };

  router.post(
    '/v1/imports/:collection',
    route(async (req: Request, res: Response) => {
      const accountability = req.accountability as Accountability | undefined;
      if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
      const { collection } = parseInput(importParams, req.params, 'params');
      const schema = req.schema!;
      // Refused before the body is read (importFile checks again for its other callers).
      if (collection.startsWith('directus_') || !schema.collections[collection]) throw new ForbiddenError();
      const received = await receiveFile(req, maxBytes);
      const options = parseInput(importOptions, { ...req.query, ...received.fields }, 'body');
      const csv =
        options.report === 'csv' || (options.report === undefined && req.accepts(['json', 'text/csv']) === 'text/csv');
      const report = await importFile({
        collection,
        file: received,
        options,
        accountability,
        schema,
        idempotencyKey: req.get('idempotency-key') ?? null,
      });
      // The bench's breakdown of where the time goes (milliseconds per phase since boot).
      if (context.env['GROUNDWORK_IMPORT_PROFILE'] && !report.replayed)
        res.setHeader(
          'x-import-timings',
          JSON.stringify(Object.fromEntries(Object.entries(importTimings).map(([k, v]) => [k, Math.round(v)]))),
        );
      answer(res, report, csv);
    }),
  );
}
