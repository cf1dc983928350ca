// Flow operation "Export query" (issue 11, item 5): the export route's rows (same fields, filter, sort, formats and
// paging through ItemsService) written into Directus files instead of an HTTP response, with the flow's
// accountability (shared/flow-accountability.ts): the rows are the ones the caller could read through /items, and
// the file is created only if they may create files. The operation's data is the new file's id and the row count, so
// a next operation (Directus's "Send Notification", an email) can tell someone it is ready.
import { PassThrough } from 'node:stream';
import { defineOperationApi } from '@directus/extensions-sdk';
import type { OperationContext } from '@directus/types';
import { z } from 'zod';
import { ForbiddenError } from '../../shared/errors.js';
import { flowAccountability } from '../../shared/flow-accountability.js';
import { parseInput } from '../../shared/http.js';
import { CONTENT_TYPES, exportParams, exportQuery } from '../core/contract.js';
import { exportFileName } from '../core/filename.js';
import { parseExportQuery } from '../query.js';
import { openExport, type ItemsServiceClass } from '../read.js';
import { writeExport } from '../write.js';
import { isDataCollection } from '../../shared/core/collections.js';

export const EXPORT_OPERATION_ID = 'groundwork-export-query';

const operationOptions = exportQuery
  .omit({ access_token: true })
  .extend({
    collection: exportParams.shape.collection,
    title: z.string().max(200).optional(),
    folder: z.string().uuid().optional(),
  })
  .strict();

/** Flow options as the route's query text: empty inputs dropped, a filter object as its JSON. */
function asQueryText(raw: Record<string, unknown>): Record<string, unknown> {
  const present = Object.entries(raw ?? {}).filter(
    ([, value]) => value !== null && value !== undefined && value !== '',
  );
  return Object.fromEntries(
    present.map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : value]),
  );
}

export default defineOperationApi<Record<string, unknown>>({
  id: EXPORT_OPERATION_ID,
  handler: async (raw, context: OperationContext) => {
    const { services, database } = context;
    const input = parseInput(operationOptions, asQueryText(raw), 'body');
    const accountability = flowAccountability(context.accountability);
    const schema = await context.getSchema();
    if (!isDataCollection(schema, input.collection)) throw new ForbiddenError();
    const query = await parseExportQuery(input, schema, accountability);
    const fields = query.fields;
    const reader = await openExport(
      services.ItemsService as unknown as ItemsServiceClass,
      { collection: input.collection, fields, filter: query.filter, sort: query.sort, limit: input.limit },
      { schema, accountability, knex: database },
    );
    let rows = reader.first.length;
    async function* counted() {
      for await (const page of reader.rest()) {
        rows += page.length;
        yield page;
      }
    }
    const body = new PassThrough();
    const name = exportFileName(input.collection, input.format, new Date());
    const files = new services.FilesService({ schema, accountability, knex: database });
    const [file] = await Promise.all([
      files.uploadOne(body, {
        filename_download: name,
        title: input.title ?? name,
        type: CONTENT_TYPES[input.format].split(';')[0],
        ...(input.folder ? { folder: input.folder } : {}),
      }) as Promise<string>,
      writeExport(input.format, body, { first: reader.first, rest: counted, fields }).catch((error: unknown) => {
        body.destroy(error as Error);
        throw error;
      }),
    ]);
    return { file, rows, format: input.format, collection: input.collection };
  },
});
