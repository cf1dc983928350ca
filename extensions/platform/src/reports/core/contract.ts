// The report route's zod contract: the route validates with it and OpenAPI is built from it.
import { z } from 'zod';

/** Longest date range one request may cover (two years of days). */
export const MAX_RANGE_DAYS = 731;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine(
    (value) =>
      !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
    'not a calendar date',
  );

export const reportParams = z.object({ report: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a report name') }).strict();

export const reportQuery = z
  .object({
    from: isoDate
      .optional()
      .describe('First day (UTC), inclusive. Default: 29 days before `to` (age reports: no bound).'),
    to: isoDate.optional().describe('Last day (UTC), inclusive. Default: today.'),
    interval: z.enum(['day', 'week']).default('day').describe('Periods of the answer; weeks start on Monday (ISO).'),
    group_by: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .optional()
      .describe("One of the report's dimensions (e.g. status, priority, channel, organization, assignee)."),
    filter: z
      .record(
        z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a dimension name'),
        z.string().min(1).max(2_000, 'at most 2000 characters'),
      )
      .optional()
      .describe(
        "filter[<dimension>]=a,b: only rows whose dimension is one of the values (e.g. filter[priority]=high,urgent); one of the report's dimensions. A uuid dimension (organization, assignee) takes uuids.",
      ),
    format: z
      .enum(['json', 'csv', 'xlsx'])
      .default('json')
      .describe('csv and xlsx: one line per row, formula-like cells neutralised; numbers stay numbers.'),
  })
  .strict();
export type ReportQuery = z.infer<typeof reportQuery>;

const row = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

export const reportResponse = z.object({
  data: z
    .array(row)
    .describe('One row per period (or age bucket) and group; measures summed, ratios and quantiles derived.'),
  meta: z.object({
    report: z.string(),
    title: z.string(),
    from: z.string().nullable(),
    to: z.string(),
    interval: z.enum(['day', 'week']).nullable(),
    group_by: z.string().nullable(),
    filter: z.record(z.string(), z.array(z.string())).describe('The filters applied, as lists of values.'),
    freshness: z
      .literal('transactional')
      .describe('The rollups change in the transaction of every ticket write: figures include every committed write.'),
    as_of: z.string().describe("The database's time of the read."),
    notes: z.array(z.string()),
  }),
});
