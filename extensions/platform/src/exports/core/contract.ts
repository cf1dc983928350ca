// The export route's zod contract: the route validates with it and OpenAPI is built from it. fields, filter and sort
// are Directus query syntax; Directus's own query middleware has already parsed them (as for /items), so these
// bounds only keep the raw text sane and say what each parameter is.
import { z } from 'zod';

export const EXPORT_FORMATS = ['csv', 'ndjson', 'json', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const isJsonObject = (text: string) => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
};

export const exportParams = z
  .object({ collection: z.string().min(1).max(64).describe('The collection, as in /items/{collection}.') })
  .strict();

export const exportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS).default('csv').describe('csv (default), ndjson, json (one array) or xlsx.'),
    fields: z
      .string()
      .max(4000)
      .optional()
      .describe('Comma-separated fields, relational ones as paths (organization.name); default *.'),
    filter: z
      .string()
      .max(20000)
      .refine(isJsonObject, 'must be a JSON object (Directus filter syntax)')
      .optional()
      .describe('A Directus filter, as JSON.'),
    sort: z
      .string()
      .max(2000)
      .optional()
      .describe('Comma-separated fields, - for descending; default the primary key.'),
    limit: z.coerce
      .number()
      .int()
      .min(-1)
      .refine((value) => value !== 0, 'must be -1 (all rows) or at least 1')
      .default(-1)
      .describe('At most this many rows; -1 (default) for all.'),
    // Directus's own way to pass a token in the URL (a download link); its auth middleware has read it already.
    access_token: z.string().max(4000).optional(),
  })
  .strict();
export type ExportQueryInput = z.infer<typeof exportQuery>;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
