// A row of search_collections (decision 0039): which collection is searched, its text fields with weights, the text
// search language, the fields a result shows and the field results are counted by. Validated before any of it
// reaches SQL: names and the language are written into SQL as identifiers and literals (the index expression must
// be literal for PostgreSQL to match it), so they must be plain lowercase names.
import { z } from 'zod';

const name = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase name of letters, digits and _')
  .describe('A collection or field name.');

export const searchFieldConfig = z
  .object({
    field: name,
    weight: z.enum(['A', 'B', 'C', 'D']).describe('A ranks highest (titles), D lowest.'),
    typo: z
      .boolean()
      .optional()
      .describe('When exact matches are few, also match similar words written in this field (trigrams).'),
  })
  .strict();

export const searchCollectionConfig = z
  .object({
    collection: name,
    language: z
      .string()
      .regex(/^[a-z_]{1,63}$/, 'a text search configuration name such as english or simple')
      .describe('PostgreSQL text search configuration (stemming and stop words).'),
    fields: z.array(searchFieldConfig).min(1).max(8),
    result_fields: z.array(name).max(20),
    facet_field: name.nullable().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    for (const { field } of config.fields) {
      if (seen.has(field))
        ctx.addIssue({ code: 'custom', message: `field ${field} is listed twice`, path: ['fields'] });
      seen.add(field);
    }
  });
export type SearchCollectionConfig = z.infer<typeof searchCollectionConfig>;

export type ConfigLoadResult =
  | { ok: true; configs: SearchCollectionConfig[] }
  | { ok: false; problems: Array<{ collection: string; message: string }> };

/** Validates the rows read from search_collections; a bad row is reported, never half-used. */
export function validateSearchConfig(rows: unknown[]): ConfigLoadResult {
  const configs: SearchCollectionConfig[] = [];
  const problems: Array<{ collection: string; message: string }> = [];
  for (const row of rows) {
    const parsed = searchCollectionConfig.safeParse(row);
    if (parsed.success) configs.push(parsed.data);
    else {
      const collection = String((row as { collection?: unknown } | null)?.collection ?? '?');
      problems.push({
        collection,
        message: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, configs };
}
