// The import route as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import { importOptions, importParams, importReport } from './core/contract.js';

export const importRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/imports/{collection}',
    operationId: 'groundworkImport',
    summary:
      'Imports a CSV, JSON or NDJSON file (multipart field "file", or the raw body) into a collection, all or nothing, with the caller\'s own create and update permissions, hooks and validation. Options as query parameters or multipart fields. Idempotency-Key (or the same file and options) answers the first successful run again. Accept: text/csv or report=csv gives the row errors as CSV.',
    tag: 'Imports',
    public: false,
    params: importParams,
    query: importOptions,
    responses: {
      200: {
        description:
          'The report: counts and every row error. written is true only for a real run without errors; otherwise nothing was written.',
        schema: importReport,
      },
      400: {
        description:
          'Bad options, or a file refused as a whole: wrong encoding, broken quoting, empty, header only, duplicate headers, too many columns or rows, columns that match no field (INVALID_PAYLOAD).',
      },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: { description: 'A system or unknown collection, or a relation the caller may not read (FORBIDDEN).' },
      409: { description: 'The Idempotency-Key was used for a different import (CONFLICT).' },
      413: { description: 'The file is larger than GROUNDWORK_IMPORT_MAX_BYTES (default 32 MiB).' },
    },
  },
];
