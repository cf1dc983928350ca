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
import {
  savedMapping,
  savedMappingCreate,
  savedMappingParams,
  savedMappingsQuery,
  savedMappingUpdate,
} from './core/saved.js';

const SAVED = '/groundwork/v1/imports/saved-mappings';
const savedMappingErrors = {
  401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
  404: { description: "No such saved mapping, or another user's (NOT_FOUND)." },
};

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
      404: { description: "mapping_id names no saved mapping of the caller's (NOT_FOUND)." },
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
  {
    method: 'get',
    path: SAVED,
    operationId: 'groundworkImportSavedMappings',
    summary: "The caller's saved import mappings (an admin's: everyone's), by collection and name.",
    tag: 'Imports',
    public: false,
    query: savedMappingsQuery,
    responses: {
      200: { description: 'The saved mappings.', schema: z.object({ data: z.array(savedMapping) }) },
      400: { description: 'A bad collection name (INVALID_QUERY).' },
      401: savedMappingErrors[401],
    },
  },
  {
    method: 'post',
    path: SAVED,
    operationId: 'groundworkImportSavedMappingCreate',
    summary:
      'Saves import options under a name, for reuse with mapping_id= on the import (the options are checked as the import checks them).',
    tag: 'Imports',
    public: false,
    body: savedMappingCreate,
    responses: {
      201: { description: 'The saved mapping.', schema: z.object({ data: savedMapping }) },
      400: { description: 'A bad name, collection or option (INVALID_PAYLOAD).' },
      401: savedMappingErrors[401],
      403: { description: 'A system or unknown collection (FORBIDDEN).' },
      409: { description: 'The caller has a saved mapping of this name already (CONFLICT).' },
    },
  },
  {
    method: 'get',
    path: `${SAVED}/{id}`,
    operationId: 'groundworkImportSavedMapping',
    summary: 'One saved mapping: its owner and admins only.',
    tag: 'Imports',
    public: false,
    params: savedMappingParams,
    responses: {
      200: { description: 'The saved mapping.', schema: z.object({ data: savedMapping }) },
      400: { description: 'Not a saved mapping id (INVALID_PARAMS).' },
      ...savedMappingErrors,
    },
  },
  {
    method: 'patch',
    path: `${SAVED}/{id}`,
    operationId: 'groundworkImportSavedMappingUpdate',
    summary: 'Renames a saved mapping, or replaces its collection or options (options are replaced whole).',
    tag: 'Imports',
    public: false,
    params: savedMappingParams,
    body: savedMappingUpdate,
    responses: {
      200: { description: 'The saved mapping.', schema: z.object({ data: savedMapping }) },
      400: { description: 'A bad id, name, collection or option (INVALID_PARAMS, INVALID_PAYLOAD).' },
      403: { description: 'A system or unknown collection (FORBIDDEN).' },
      409: { description: 'The owner has a saved mapping of this name already (CONFLICT).' },
      ...savedMappingErrors,
    },
  },
  {
    method: 'delete',
    path: `${SAVED}/{id}`,
    operationId: 'groundworkImportSavedMappingDelete',
    summary: 'Deletes a saved mapping: its owner and admins only.',
    tag: 'Imports',
    public: false,
    params: savedMappingParams,
    responses: {
      204: { description: 'Deleted.' },
      400: { description: 'Not a saved mapping id (INVALID_PARAMS).' },
      ...savedMappingErrors,
    },
  },
];
