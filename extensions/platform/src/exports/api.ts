// The export route as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import { exportParams, exportQuery } from './core/contract.js';

export const exportRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/exports/{collection}',
    operationId: 'groundworkExport',
    summary:
      "Every row the caller may read of a collection, as GET /items would give them for the same fields (relational paths too), filter and sort, streamed as CSV, NDJSON, a JSON array or XLSX. Spreadsheet cells that would run as formulas are prefixed with '.",
    tag: 'Transfer',
    public: false,
    params: exportParams,
    query: exportQuery,
    responses: {
      200: { description: 'The file, as an attachment (Content-Disposition), streamed.' },
      400: { description: 'An unknown format, a bad filter, limit or parameter (INVALID_QUERY).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: {
        description:
          'A collection or a field in fields, filter or sort the caller may not read, as /items answers (FORBIDDEN).',
      },
    },
  },
];
