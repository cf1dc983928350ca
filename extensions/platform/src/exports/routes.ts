// HTTP adapter: GET /groundwork/v1/exports/:collection (issue 11 item 5, decision 0043): the rows the caller could
// read through GET /items/:collection with the same fields, filter and sort, streamed as CSV, NDJSON, a JSON array or
// XLSX in constant memory. fields, filter and sort come from Directus's own query middleware (req.sanitizedQuery), so
// they are parsed, validated and resolved ($CURRENT_USER...) exactly as for /items; reads use the caller's
// accountability, so the row rules, field lists and query guard are REST's.
import type { EndpointExtensionContext } from '@directus/types';
import type { Router } from 'express';
import { ForbiddenError, InvalidCredentialsError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { CONTENT_TYPES, exportParams, exportQuery } from './core/contract.js';
import { attachmentHeader, exportFileName } from './core/filename.js';
import { openExport, type ItemsServiceClass } from './read.js';
import { writeExport } from './write.js';

export function registerExportRoutes(router: Router, context: EndpointExtensionContext): void {
  const logger = context.logger.child({ capability: 'exports' });
  router.get(
    '/v1/exports/:collection',
    route(async (req, res) => {
      const accountability = req.accountability;
      if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
      const { collection } = parseInput(exportParams, req.params, 'params');
      const input = parseInput(exportQuery, req.query, 'query');
      // As /items/:collection: system collections have their own routes, and an unknown one is a 403, not a 404.
      if (collection.startsWith('directus_') || !req.schema?.collections[collection]) throw new ForbiddenError();
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
