// Flow operation "Import file" (issue 11, item 4): imports a file already in Directus's files into a collection, as
// the route would, so a flow can import what a trigger delivers (an upload, a schedule). It runs with the flow's
// accountability (shared/flow-accountability.ts).
// An import that writes nothing because of row errors, or a file refused as a whole, takes the flow's reject path
// with the report or the reason as the operation's data.
import { defineOperationApi } from '@directus/extensions-sdk';
import type { OperationContext } from '@directus/types';
import { z } from 'zod';
import { ContentTooLargeError } from '@directus/errors';
import { flowAccountability } from '../../shared/flow-accountability.js';
import { parseInput } from '../../shared/http.js';
import { workflowDefinitions } from '../../workflows/index.js';
import { importOptions, importParams } from '../core/contract.js';
import { createImporter, DEFAULT_MAX_BYTES } from '../import-file.js';
import { resolveSavedOptions } from '../saved-mappings.js';

export const IMPORT_OPERATION_ID = 'groundwork-import-file';

const operationFields = z
  .object({
    collection: importParams.shape.collection,
    file: z.string().uuid('the id of a file in Directus files'),
    idempotency_key: z.string().min(1).max(255).optional(),
  })
  .strict();

/** Flow options as the import's: empty inputs dropped, JSON inputs (objects) as the text the route takes. */
function importInput(raw: Record<string, unknown>) {
  const present = Object.entries(raw ?? {}).filter(
    ([, value]) => value !== null && value !== undefined && value !== '',
  );
  const asText = present.map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : value]);
  const { collection, file, idempotency_key, ...options } = Object.fromEntries(asText) as Record<string, unknown>;
  return { target: { collection, file, idempotency_key }, options };
}

type Importer = ReturnType<typeof createImporter>;
let importer: Importer | null = null;

export default defineOperationApi<Record<string, unknown>>({
  id: IMPORT_OPERATION_ID,
  handler: async (raw, context: OperationContext) => {
    const { services, database, logger, env } = context;
    importer ??= createImporter({
      database,
      ItemsService: services.ItemsService,
      workflows: () => workflowDefinitions(database, logger.child({ capability: 'imports' })).get(),
      logger,
    });
    const { target, options: given } = importInput(raw);
    const { collection, file, idempotency_key } = parseInput(operationFields, target, 'body');
    const accountability = flowAccountability(context.accountability);
    const options = parseInput(
      importOptions,
      await resolveSavedOptions(database, accountability, collection, given),
      'body',
    );
    const schema = await context.getSchema();
    const maxBytes = Number(env['GROUNDWORK_IMPORT_MAX_BYTES'] ?? DEFAULT_MAX_BYTES) || DEFAULT_MAX_BYTES;

    // The file as its reader sees it: a file they may not read is a 403 here, as through /assets.
    const files = new services.FilesService({ schema, accountability, knex: database });
    const meta = (await files.readOne(file, { fields: ['id', 'filename_download', 'type', 'filesize'] })) as {
      filename_download: string;
      type: string | null;
      filesize: number | string | null;
    };
    if (Number(meta.filesize ?? 0) > maxBytes) throw new ContentTooLargeError();
    const assets = new services.AssetsService({ schema, accountability, knex: database });
    const { stream } = await assets.getAsset(file, { transformationParams: {} });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new ContentTooLargeError();
      chunks.push(chunk);
    }

    const report = await importer({
      collection,
      file: { bytes: Buffer.concat(chunks), name: meta.filename_download, contentType: meta.type ?? '' },
      options,
      accountability,
      schema,
      idempotencyKey: idempotency_key ?? null,
    });
    if (!report.written && !report.dry_run && report.counts.errors > 0)
      throw Object.assign(new Error(`The import wrote nothing: ${report.counts.errors} row error(s).`), {
        code: 'IMPORT_ROW_ERRORS',
        report,
      });
    return report;
  },
});
