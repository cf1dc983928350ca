// The import route as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import {
  importOptions,
  importParams,
  importReport,
  importRun,
  runAccepted,
  runParams,
  runsQuery,
} from './core/contract.js';
import { z } from 'zod';

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
      202: {
        description:
          'background=true: the file is stored and a job enqueued; follow the run at url (decision 0054). A repeated Idempotency-Key answers the same run.',
        schema: runAccepted,
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
  {
    method: 'get',
    path: '/groundwork/v1/imports/runs/{id}',
    operationId: 'groundworkImportRun',
    summary:
      'A background import run: status, progress (rows checked and written, percent, rows/s, ETA), attempts, and the report once it ended. Its owner and admins only.',
    tag: 'Imports',
    public: false,
    params: runParams,
    responses: {
      200: { description: 'The run.', schema: z.object({ data: importRun }) },
      400: { description: 'Not a run id (INVALID_PARAMS).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      404: { description: "No such run, or another user's (NOT_FOUND)." },
    },
  },
  {
    method: 'get',
    path: '/groundwork/v1/imports/runs',
    operationId: 'groundworkImportRuns',
    summary: "The caller's own background import runs, newest first.",
    tag: 'Imports',
    public: false,
    query: runsQuery,
    responses: {
      200: { description: 'The runs.', schema: z.object({ data: z.array(importRun) }) },
      400: { description: 'A bad limit (INVALID_QUERY).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
    },
  },
];
