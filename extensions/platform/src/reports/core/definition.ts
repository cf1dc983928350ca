// A report definition (decision 0044): the domain names a rollup collection, its date and dimension fields and the
// measures to sum; the platform knows only these three shapes. Definitions are rows the domain's snapshot version
// writes (groundwork.report_definitions); they are validated here before any query is built from them.
import { z } from 'zod';

const name = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase identifier');

const ratio = z.object({ name, numerator: name, denominator: name });

const common = {
  name,
  title: z.string().min(1),
  collection: name,
  date_field: name,
  dimensions: z.array(name),
  /** Fields the report is always split by (e.g. the time metric), besides the caller's group_by. */
  split_by: z.array(name).default([]),
  /** A Directus filter on the rollup's own fields, applied before the caller's permissions narrow it further. */
  filter: z.record(z.string(), z.unknown()).nullable().default(null),
  measures: z.array(name).min(1),
  ratios: z.array(ratio).default([]),
  /** What a reader should know about the figures (e.g. what a time measures), returned with them. */
  notes: z.array(z.string()).default([]),
};

export const reportDefinition = z.discriminatedUnion('kind', [
  /** Sums of the measures per period. */
  z.object({ kind: z.literal('sum'), ...common }),
  /** Quantiles of a log-bucketed histogram per period: bucket b holds values in [base^b - 1, base^(b+1) - 1). */
  z.object({
    kind: z.literal('quantiles'),
    ...common,
    bucket_field: name,
    bucket_base: z.number().gt(1).lt(4),
    count_field: name,
    quantiles: z.array(z.number().gt(0).lt(1)).min(1),
    unit: z.string().min(1),
  }),
  /** Sums by age of the date field as of today, in the given bucket bounds (days); the interval does not apply. */
  z.object({ kind: z.literal('age'), ...common, age_bounds_days: z.array(z.number().int().positive()).min(1) }),
]);
export type ReportDefinition = z.infer<typeof reportDefinition>;

export type DefinitionsResult =
  | { ok: true; definitions: ReportDefinition[] }
  | { ok: false; problems: Array<{ name: string; message: string }> };

export function validateDefinitions(rows: Array<{ name: string; definition: unknown }>): DefinitionsResult {
  const definitions: ReportDefinition[] = [];
  const problems: Array<{ name: string; message: string }> = [];
  for (const row of rows) {
    const parsed = reportDefinition.safeParse(row.definition);
    if (!parsed.success) {
      problems.push({ name: row.name, message: parsed.error.issues.map((issue) => issue.message).join('; ') });
      continue;
    }
    const definition = parsed.data;
    if (definition.name !== row.name) problems.push({ name: row.name, message: 'name differs from its row' });
    const measures = new Set(definition.measures);
    for (const { numerator, denominator } of definition.ratios) {
      if (!measures.has(numerator) || !measures.has(denominator))
        problems.push({ name: row.name, message: 'a ratio names a field that is not a measure' });
    }
    if (definition.kind === 'quantiles' && !measures.has(definition.count_field))
      problems.push({ name: row.name, message: 'count_field must be a measure' });
    definitions.push(definition);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, definitions };
}
