// The import route's zod contract (options as query parameters or multipart fields): the route validates with it
// and OpenAPI is built from it.
import { z } from 'zod';
import { ENCODINGS } from './decode.js';
import { FORMATS } from './parse.js';
import { MODES } from './plan.js';
import { PHASES, RUN_STATUSES } from './progress.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A JSON object of identifier → identifier (or "" to ignore a column), given as text. */
const nameMap = (what: string, allowEmpty: boolean, valuePattern: RegExp = IDENTIFIER, valueWhat = 'name a field') =>
  z
    .string()
    .max(20000)
    .transform((text, ctx) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${what} must be a JSON object.` });
        return z.NEVER;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${what} must be a JSON object.` });
        return z.NEVER;
      }
      for (const [key, name] of Object.entries(value)) {
        if (typeof name !== 'string' || !(valuePattern.test(name) || (allowEmpty && name === ''))) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${what}: "${key}" must ${valueWhat}.` });
          return z.NEVER;
        }
      }
      return value as Record<string, string>;
    });

const FIELD_LIST = /^[A-Za-z_][A-Za-z0-9_]*(,[A-Za-z_][A-Za-z0-9_]*)*$/;
const COLLECTION_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}\.[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])])
  .transform((value) => value === true || value === 'true' || value === '1');

export const importOptions = z
  .object({
    mode: z.enum(MODES).default('insert').describe('insert (default), update, or upsert (update when matched).'),
    match: z
      .string()
      .max(500)
      .regex(FIELD_LIST, 'comma-separated field names')
      .transform((text) => text.split(','))
      .optional()
      .describe('The unique field, or comma-separated fields of one unique index, that identify an existing item.'),
    mapping: nameMap('mapping', true)
      .optional()
      .describe('JSON object column → field; a column mapped to "" is ignored. Default: the header is the field.'),
    relations: nameMap('relations', false)
      .optional()
      .describe(
        'JSON object m2o field → the related collection\'s field the cells name, e.g. {"organization":"domain"}.',
      ),
    vocabularies: nameMap('vocabularies', false, COLLECTION_FIELD, 'name collection.field, e.g. "tags.name"')
      .optional()
      .describe(
        'JSON object field → "collection.field" of a vocabulary, e.g. {"tags":"tags.name"}: the column holds names separated by , ; or | (or a JSON array), each checked against that unique field; unknown names are row errors unless create_missing names the field.',
      ),
    create_missing: z
      .string()
      .max(500)
      .regex(FIELD_LIST, 'comma-separated field names')
      .transform((text) => text.split(','))
      .optional()
      .describe(
        "Comma-separated vocabulary fields whose unknown names are created, with the caller's own create permission on the vocabulary collection, in the import's transaction (none on a dry run or a rejected run; the report counts them).",
      ),
    mapping_id: z
      .string()
      .uuid('a saved mapping id')
      .optional()
      .describe(
        'A saved mapping (GET /groundwork/v1/imports/saved-mappings) whose options fill in every option this request does not give; options given here win. Its collection must be this one.',
      ),
    dry_run: flag.default(false).describe('Check everything, write nothing.'),
    notify: flag
      .default(false)
      .describe(
        "Publish the imported rows' domain events (e.g. tickets.created), so notification rules, flows on events and webhook subscriptions act on them. Off by default: an import of history must not notify every requester.",
      ),
    format: z
      .enum(FORMATS)
      .optional()
      .describe('csv, json, ndjson or xlsx (default: from the file name or content type, else csv).'),
    sheet: z.string().min(1).max(100).optional().describe('XLSX: the sheet to read (default: the first).'),
    delimiter: z
      .enum([',', ';', '\t', '|', 'tab'])
      .transform((value) => (value === 'tab' ? '\t' : value))
      .optional()
      .describe('CSV delimiter (default: sniffed from the header line).'),
    encoding: z.enum(ENCODINGS).optional().describe('Default: by BOM, else UTF-8, else Latin-1.'),
    report: z.enum(['json', 'csv']).optional().describe('The report as JSON (default) or CSV (also Accept: text/csv).'),
    background: flag
      .default(false)
      .describe(
        'Run as a background job: 202 with the run id at once; progress and the report at GET /groundwork/v1/imports/runs/{id}, an in-app notification at the end.',
      ),
  })
  .strict();
export type ImportOptions = z.infer<typeof importOptions>;

export const importParams = z.object({ collection: z.string().regex(IDENTIFIER, 'a collection name') }).strict();

const rowError = z.object({
  row: z.number().int().describe('1-based data row; the header is not counted.'),
  field: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});

export const importReport = z.object({
  data: z.object({
    collection: z.string(),
    mode: z.enum(MODES),
    dry_run: z.boolean(),
    written: z.boolean(),
    replayed: z.boolean().describe('The first run of the same file or Idempotency-Key, answered again.'),
    checksum: z.string().describe('sha-256 of the file, hex.'),
    vocabularies: z
      .array(
        z.object({
          field: z.string(),
          collection: z.string(),
          created: z.number().int().describe('Names created (a dry run or a rejected run: would be created).'),
          names: z.array(z.string()).describe('The first 100 of them.'),
        }),
      )
      .optional()
      .describe('With vocabularies: what create_missing created per field.'),
    counts: z.object({
      rows: z.number().int(),
      insert: z.number().int(),
      update: z.number().int(),
      skip: z.number().int(),
      errors: z.number().int(),
    }),
    errors: z.array(rowError),
  }),
});

/** What makes two runs the same run: the file, the collection and every option that changes the outcome. */
export function runFingerprint(collection: string, checksum: string, options: ImportOptions): string {
  // mapping_id is resolved into the options before this (the saved mapping's content counts, not its id). notify
  // changes who hears of the rows, not the rows: the same file run again with it is the same run (no duplicates).
  const {
    report: _report,
    dry_run: _dryRun,
    background: _background,
    mapping_id: _saved,
    notify: _notify,
    ...rest
  } = options;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ collection, checksum, options: sorted });
}

export const runParams = z.object({ id: z.string().uuid('a run id') }).strict();

const runProgress = z.object({
  phase: z.enum(PHASES),
  rows_total: z.number().int().nullable().describe('Data rows in the file (null until the worker parsed it).'),
  rows_checked: z.number().int(),
  rows_written: z.number().int(),
  percent: z.number().int().describe('Each row counts twice: checked, then written.'),
  rows_per_second: z.number().nullable().describe('Rows through the current phase per second.'),
  eta_seconds: z.number().int().nullable(),
});

export const importRun = z.object({
  id: z.string().uuid(),
  collection: z.string(),
  status: z.enum(RUN_STATUSES),
  dry_run: z.boolean(),
  file_name: z.string(),
  user: z.string().uuid(),
  attempts: z.number().int().describe('Attempts started; more than one after a crash or a broken attempt.'),
  progress: runProgress,
  error: z.string().nullable().describe('Why a failed run failed (a refused file, or the last broken attempt).'),
  report: importReport.shape.data.nullable().describe('The report once the run ended with one.'),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type ImportRun = z.infer<typeof importRun>;

export const runAccepted = z.object({
  data: z.object({ id: z.string().uuid(), status: z.enum(RUN_STATUSES), url: z.string() }),
});

export const runsQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(100).default(20).describe('Newest first.') })
  .strict();
