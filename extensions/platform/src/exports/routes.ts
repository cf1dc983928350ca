// HTTP adapter: GET /groundwork/v1/exports/:collection, also as /exports/items/:collection (issue 11 item 5, decision
// 0043): the rows the caller could read through GET /items/:collection with the same fields, filter and sort, streamed
// as CSV, NDJSON, a JSON array or XLSX in constant memory. fields, filter and sort come from Directus's own query
// middleware (req.sanitizedQuery), so they are parsed, validated and resolved ($CURRENT_USER...) exactly as for
// /items; reads use the caller's accountability, so the row rules, field lists and query guard are REST's.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Accountability, EndpointExtensionContext } from '@directus/types';
import type { Request, Router } from 'express';
import { runParams, runsQuery } from '../imports/core/contract.js';
import { ForbiddenError, InvalidCredentialsError, NotFoundError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { createExportStart } from './background.js';
import { CONTENT_TYPES, exportParams, exportQuery } from './core/contract.js';
import { attachmentHeader, exportFileName } from './core/filename.js';
import { exportRunRequest, exportRunView, storedQuery } from './core/runs.js';
import { openExport, type ItemsServiceClass } from './read.js';
import { exportJobStore } from './store.js';
import { writeExport } from './write.js';
import { isDataCollection } from '../shared/core/collections.js';

export function registerExportRoutes(router: Router, context: EndpointExtensionContext): void {
  const logger = context.logger.child({ capability: 'exports' });
  // Before GET /v1/exports/:collection, which would otherwise take "runs" for a collection. A collection that is
  // named "runs" is exported through the other form, /v1/exports/items/:collection, which no route of ours shadows
  // (the app module always uses it).
  registerExportRunRoutes(router, context);
  router.get(
    ['/v1/exports/items/:collection', '/v1/exports/:collection'],
    route(async (req, res) => {
      const accountability = req.accountability;
      if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
      const { collection } = parseInput(exportParams, req.params, 'params');
      const input = parseInput(exportQuery, req.query, 'query');
      // As /items/:collection: system collections have their own routes, and an unknown one is a 403, not a 404.
      if (!req.schema || !isDataCollection(req.schema, collection)) throw new ForbiddenError();
      const sanitized = (req as unknown as { sanitizedQuery?: Record<string, unknown> }).sanitizedQuery ?? {};
      const fields = (sanitized.fields as string[] | undefined) ?? ['*'];
      const reader = await openExport(
        context.services.ItemsService as unknown as ItemsServiceClass,
        {
          collection,
          fields,
          filter: sanitized.filter as Record<string, unknown> | undefined,
          sort: sanitized.sort as string[] | undefined,
          limit: input.limit,
        },
        { schema: req.schema, accountability, knex: context.database },
      );
      res.status(200);
      res.setHeader('content-type', CONTENT_TYPES[input.format]);
      res.setHeader('content-disposition', attachmentHeader(exportFileName(collection, input.format, new Date())));
      res.setHeader('cache-control', 'no-store');
      // Which read path served the rows (decision 0060): for the bench and the differential test.
      res.setHeader('x-groundwork-export-read', reader.path);
      try {
        await writeExport(input.format, res, { ...reader, fields });
      } catch (error) {
        // After the first byte there is no error answer left to give: the cut response tells the client. A client
        // that went away (ERR_STREAM_PREMATURE_CLOSE) is not a server error.
        const code = (error as { code?: string }).code;
        if (code !== 'ERR_STREAM_PREMATURE_CLOSE') logger.error({ err: error, collection }, 'export failed mid-stream');
        res.destroy();
      }
    }),
  );
}

/**
 * Background exports (decision 0059): POST starts a run; the run, the caller's runs and the finished file are read
 * by the run's owner and admins only; anyone else gets the 404 an unknown id gets (no probing of ids).
 */
function registerExportRunRoutes(router: Router, context: EndpointExtensionContext): void {
  const startExport = createExportStart(context.database);
  const runs = exportJobStore(context.database);
  const signedIn = (req: Request) => {
    const accountability = req.accountability as Accountability | undefined;
    if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
    return accountability;
  };
  const ownRun = async (req: Request) => {
    const accountability = signedIn(req);
    const { id } = parseInput(runParams, req.params, 'params');
    const run = await runs.view(id);
    if (!run || (!accountability.admin && run.user_id !== accountability.user))
      throw new NotFoundError({ what: 'Export run' });
    return run;
  };

  router.post(
    '/v1/exports/:collection',
    route(async (req, res) => {
      const accountability = signedIn(req);
      const { collection } = parseInput(exportParams, req.params, 'params');
      const body = parseInput(exportRunRequest, req.body ?? {}, 'body');
      const run = await startExport(
        collection,
        storedQuery(body),
        {
          ItemsService: context.services.ItemsService as unknown as ItemsServiceClass,
          schema: req.schema!,
          accountability,
          knex: context.database,
        },
        req.get('idempotency-key') ?? null,
      );
      res.status(202).setHeader('Location', run.url);
      res.json({ data: run });
    }),
  );

  router.get(
    '/v1/exports/runs',
    route(async (req, res) => {
      const accountability = signedIn(req);
      const { limit } = parseInput(runsQuery, req.query, 'query');
      const list = accountability.user ? await runs.listFor(accountability.user, limit) : [];
      const now = new Date();
      res.json({ data: list.map((run) => exportRunView(run, now)) });
    }),
  );

  router.get(
    '/v1/exports/runs/:id',
    route(async (req, res) => {
      res.json({ data: exportRunView(await ownRun(req), new Date()) });
    }),
  );

  router.get(
    '/v1/exports/runs/:id/file',
    route(async (req, res) => {
      const run = await ownRun(req);
      const stored = await runs.forWork(run.id);
      if (run.status !== 'succeeded' || !stored?.file_attempt)
        throw new NotFoundError({ what: 'Finished export file' });
      res.status(200);
      res.setHeader('content-type', CONTENT_TYPES[run.format]);
      res.setHeader('content-length', String(run.bytes_written));
      res.setHeader(
        'content-disposition',
        attachmentHeader(run.file_name ?? exportFileName(run.collection, run.format, new Date())),
      );
      res.setHeader('cache-control', 'private, no-store');
      // One chunk in memory at a time, pulled as the client reads.
      await pipeline(Readable.from(runs.chunks(run.id, stored.file_attempt)), res).catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
          context.logger.error({ err: error, run: run.id }, 'export download failed mid-stream');
        res.destroy();
      });
    }),
  );
}
