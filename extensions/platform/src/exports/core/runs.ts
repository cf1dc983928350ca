// Background exports (decision 0059): the POST body, the run as its owner reads it, and the notice at its end. Pure:
// the clock is passed in. The query fields are the GET's (contract.ts), sent as JSON so a long filter has no URL limit.
import { z } from 'zod';
import { EXPORT_FORMATS, exportQuery, type ExportFormat } from './contract.js';
import { EXPORT_RUN_STATUSES, type ExportRunStatus } from './status.js';

export { EXPORT_FINISHED, EXPORT_RUN_STATUSES, type ExportRunStatus } from './status.js';

const stringList = (max: number, what: string) =>
  z.union([z.string().max(max), z.array(z.string().min(1).max(200)).max(500)]).describe(what);

export const exportRunRequest = z
  .object({
    format: exportQuery.shape.format,
    fields: stringList(4000, 'Fields, comma-separated or as an array; relational ones as paths; default *.').optional(),
    filter: z
      .record(z.string(), z.unknown())
      .refine((value) => JSON.stringify(value).length <= 20000, 'must be at most 20000 characters as JSON')
      .optional()
      .describe('A Directus filter (an object).'),
    sort: stringList(2000, 'Sort fields, comma-separated or as an array; - for descending.').optional(),
    limit: exportQuery.shape.limit,
  })
  .strict();
export type ExportRunRequest = z.infer<typeof exportRunRequest>;

/** What a run stores and the worker reads again: the query as text, parsed by Directus as the user is at run time. */
export interface StoredQuery {
  format: ExportFormat;
  fields: string;
  filter: string | null;
  sort: string | null;
  limit: number;
}

export function storedQuery(request: ExportRunRequest): StoredQuery {
  const list = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value);
  return {
    format: request.format,
    fields: list(request.fields) || '*',
    filter: request.filter ? JSON.stringify(request.filter) : null,
    sort: list(request.sort) || null,
    limit: request.limit,
  };
}

/**
 * What "the same export request" is for an Idempotency-Key: the collection and the stored query, the filter's keys
 * sorted (the same filter sent with its keys in another order is the same request).
 */
export function exportRequestFingerprint(collection: string, query: StoredQuery): string {
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>)
              .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
              .map(([key, inner]) => [key, sorted(inner)]),
          )
        : value;
  const filter = query.filter === null ? null : sorted(JSON.parse(query.filter));
  return JSON.stringify([collection, query.format, query.fields, filter, query.sort, query.limit]);
}

export interface StoredExportRun {
  id: string;
  user_id: string;
  collection: string;
  format: ExportFormat;
  query: StoredQuery | string;
  status: ExportRunStatus;
  attempts: number;
  rows_written: number;
  bytes_written: number;
  file_name: string | null;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

export const runUrl = (id: string) => `/groundwork/v1/exports/runs/${id}`;
export const fileUrl = (id: string) => `${runUrl(id)}/file`;

/** Rows written per second since the attempt started (to its end once finished); null until measurable. */
export function rowsPerSecond(run: Pick<StoredExportRun, 'rows_written' | 'started_at' | 'finished_at'>, now: Date) {
  if (!run.started_at || run.rows_written === 0) return null;
  const end = run.finished_at ? new Date(run.finished_at) : now;
  const seconds = (end.getTime() - new Date(run.started_at).getTime()) / 1000;
  return seconds > 0 ? Math.round(run.rows_written / seconds) : null;
}

export function exportRunView(run: StoredExportRun, now: Date) {
  const query = typeof run.query === 'string' ? (JSON.parse(run.query) as StoredQuery) : run.query;
  const ready = run.status === 'succeeded';
  return {
    id: run.id,
    collection: run.collection,
    format: run.format,
    query: { fields: query.fields, filter: query.filter, sort: query.sort, limit: query.limit },
    status: run.status,
    user: run.user_id,
    attempts: run.attempts,
    progress: {
      rows_written: run.rows_written,
      bytes_written: run.bytes_written,
      rows_per_second: rowsPerSecond(run, now),
    },
    error: run.error,
    file_name: run.file_name,
    file_url: ready ? fileUrl(run.id) : null,
    created_at: iso(run.created_at)!,
    started_at: iso(run.started_at),
    finished_at: iso(run.finished_at),
  };
}
export type ExportRunView = ReturnType<typeof exportRunView>;

export const exportRunSchema = z.object({
  id: z.string().uuid(),
  collection: z.string(),
  format: z.enum(EXPORT_FORMATS),
  query: z.object({
    fields: z.string(),
    filter: z.string().nullable(),
    sort: z.string().nullable(),
    limit: z.number().int(),
  }),
  status: z.enum(EXPORT_RUN_STATUSES),
  user: z.string().uuid(),
  attempts: z.number().int(),
  progress: z.object({
    rows_written: z.number().int(),
    bytes_written: z.number().int(),
    rows_per_second: z.number().nullable(),
  }),
  error: z.string().nullable(),
  file_name: z.string().nullable(),
  file_url: z.string().nullable().describe('Where the owner downloads the file once the run succeeded.'),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});

export const exportRunAccepted = z.object({
  data: z.object({ id: z.string().uuid(), status: z.enum(EXPORT_RUN_STATUSES), url: z.string() }),
});

/** The owner's notice when the run ends: where to download, or why there is nothing. */
export function exportNotice(run: {
  id: string;
  collection: string;
  format: ExportFormat;
  status: ExportRunStatus;
  rows: number;
  error: string | null;
}): { subject: string; body: string } {
  if (run.status === 'succeeded')
    return {
      subject: `Export of ${run.collection} is ready`,
      body: `${run.rows} row(s) as ${run.format.toUpperCase()}. Download: ${fileUrl(run.id)} (only you can).`,
    };
  return { subject: `Export of ${run.collection} failed`, body: run.error ?? 'The export could not run.' };
}
