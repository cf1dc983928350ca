// HTTP adapter: POST /groundwork/v1/imports/:collection (issue 11, decision 0042). The file (multipart, or the raw
// body) is received here and imported by import-file.ts, which the Flow operation "Import file" shares.
import type { Accountability, EndpointExtensionContext } from '@directus/types';
import type { Request, Response, Router } from 'express';
import { ForbiddenError, InvalidCredentialsError, NotFoundError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import type { WorkflowDefinition } from '../workflows/core/definition.js';
import { createBackgroundStart } from './background.js';
import { importOptions, importParams, runParams, runsQuery } from './core/contract.js';
import { runView } from './core/progress.js';
import { reportCsv, type ImportReport } from './core/report.js';
import { createImporter, DEFAULT_MAX_BYTES } from './import-file.js';
import { receiveFile } from './receive.js';
import { registerSavedMappingRoutes, resolveSavedOptions } from './saved-mappings.js';
import { importTimings } from './run.js';
import { importJobStore } from './store.js';
import { isDataCollection } from '../shared/core/collections.js';

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
  const startBackground = createBackgroundStart(context.database);
  const runs = importJobStore(context.database);
  const signedIn = (req: Request) => {
    const accountability = req.accountability as Accountability | undefined;
    if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
    return accountability;
  };

  const answer = (res: Response, report: ImportReport, csv: boolean) => {
    if (csv) {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="import-${report.collection}-report.csv"`);
      res.send(reportCsv(report));
    } else res.json({ data: report });
  };

  // Before the import route: POST .../saved-mappings would otherwise reach it (a hyphen is in no collection name).
  registerSavedMappingRoutes(router, context.database);

  router.post(
    '/v1/imports/:collection',
    route(async (req: Request, res: Response) => {
      const accountability = req.accountability as Accountability | undefined;
      if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
      const { collection } = parseInput(importParams, req.params, 'params');
      const schema = req.schema!;
      // Refused before the body is read (importFile checks again for its other callers).
      if (!isDataCollection(schema, collection)) throw new ForbiddenError();
      const received = await receiveFile(req, maxBytes);
      const given = await resolveSavedOptions(context.database, accountability, collection, {
        ...req.query,
        ...received.fields,
      });
      const options = parseInput(importOptions, given, 'body');
      const idempotencyKey = req.get('idempotency-key') ?? null;
      if (options.background) {
        const run = await startBackground({
          collection,
          file: received,
          options,
          accountability,
          schema,
          idempotencyKey,
        });
        const url = `/groundwork/v1/imports/runs/${run.id}`;
        res.status(202).setHeader('Location', url);
        res.json({ data: { ...run, url } });
        return;
      }
      const csv =
        options.report === 'csv' || (options.report === undefined && req.accepts(['json', 'text/csv']) === 'text/csv');
      const report = await importFile({
        collection,
        file: received,
        options,
        accountability,
        schema,
        idempotencyKey,
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
  // A background run: its owner and admins only; anyone else gets the 404 an unknown id gets (no probing of ids).
  router.get(
    '/v1/imports/runs/:id',
    route(async (req: Request, res: Response) => {
      const accountability = signedIn(req);
      const { id } = parseInput(runParams, req.params, 'params');
      const run = await runs.view(id);
      if (!run || (!accountability.admin && run.user_id !== accountability.user))
        throw new NotFoundError({ what: 'Import run' });
      res.json({ data: runView(run, new Date()) });
    }),
  );

  // The caller's own runs, newest first (the Import / Export module's history).
  router.get(
    '/v1/imports/runs',
    route(async (req: Request, res: Response) => {
      const accountability = signedIn(req);
      const { limit } = parseInput(runsQuery, req.query, 'query');
      const list = accountability.user ? await runs.listFor(accountability.user, limit) : [];
      const now = new Date();
      res.json({ data: list.map((run) => runView(run, now)) });
    }),
  );
}
