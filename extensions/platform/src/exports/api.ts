// The export routes as documented in OpenAPI (built from the zod contracts the routes validate with).
import { z } from 'zod';
import { runParams, runsQuery } from '../imports/core/contract.js';
import type { RouteDoc } from '../openapi/core/document.js';
import { exportParams, exportQuery } from './core/contract.js';
import { exportRunAccepted, exportRunRequest, exportRunSchema } from './core/runs.js';

const streamDocs: RouteDoc[] = [
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

// The same route under a path no route of ours shadows: a collection named "runs" is exported only through it.
streamDocs.push({
  ...streamDocs[0]!,
  path: '/groundwork/v1/exports/items/{collection}',
  operationId: 'groundworkExportItems',
  summary:
    'The same as GET /groundwork/v1/exports/{collection}, under a path that no other route shadows: use it for a collection named "runs" (GET /groundwork/v1/exports/runs lists export runs).',
});

const runDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/groundwork/v1/exports/{collection}',
    operationId: 'groundworkExportBackground',
    summary:
      "Starts a background export (decision 0059): the GET's fields, filter, sort, limit and format in a JSON body. The query is checked at once as the GET checks it; the run reads as the caller is when it runs (their current role), writes a file only they (and admins) can download at file_url, and notifies them in the app. An Idempotency-Key header (1 to 255 characters, per user) answers the run it started for the same query again (decision 0062). Ended runs and their files are deleted after GROUNDWORK_EXPORT_RUN_RETENTION_DAYS (default 7).",
    tag: 'Transfer',
    public: false,
    params: exportParams,
    body: exportRunRequest,
    responses: {
      202: {
        description:
          'Accepted; Location and url name the run. A repeated Idempotency-Key with the same query answers the same run (its current status).',
        schema: exportRunAccepted,
      },
      400: {
        description: 'A bad body, format, filter, sort, limit or Idempotency-Key (INVALID_PAYLOAD, INVALID_QUERY).',
      },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      403: { description: 'A collection or a field in fields, filter or sort the caller may not read (FORBIDDEN).' },
      409: { description: "The caller's Idempotency-Key was used for a different export (CONFLICT)." },
    },
  },
  {
    method: 'get',
    path: '/groundwork/v1/exports/runs/{id}',
    operationId: 'groundworkExportRun',
    summary:
      'A background export run: status, rows and bytes written, rows/s, and file_url once it succeeded. Its owner and admins only.',
    tag: 'Transfer',
    public: false,
    params: runParams,
    responses: {
      200: { description: 'The run.', schema: z.object({ data: exportRunSchema }) },
      400: { description: 'Not a run id (INVALID_PARAMS).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      404: { description: "No such run, or another user's (NOT_FOUND)." },
    },
  },
  {
    method: 'get',
    path: '/groundwork/v1/exports/runs/{id}/file',
    operationId: 'groundworkExportRunFile',
    summary: "A succeeded background export's file, streamed as an attachment. Its owner and admins only.",
    tag: 'Transfer',
    public: false,
    params: runParams,
    responses: {
      200: { description: 'The file (Content-Disposition: attachment).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      404: { description: "No such run, another user's, or one that has not succeeded (NOT_FOUND)." },
    },
  },
  {
    method: 'get',
    path: '/groundwork/v1/exports/runs',
    operationId: 'groundworkExportRuns',
    summary: "The caller's own background export runs, newest first.",
    tag: 'Transfer',
    public: false,
    query: runsQuery,
    responses: {
      200: { description: 'The runs.', schema: z.object({ data: z.array(exportRunSchema) }) },
      400: { description: 'A bad limit (INVALID_QUERY).' },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
    },
  },
];
export const exportRouteDocs: RouteDoc[] = [...streamDocs, ...runDocs];
