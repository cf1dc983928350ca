// SQL text generated from a validated search configuration. The document expression is the one the GIN index is
// built on (search_<collection>_document): the route's WHERE repeats it verbatim so PostgreSQL uses the index.
// The domain version that adds a configuration row builds its index with a copy of documentExpression (its
// migrate.ts is self-contained); extensions/service-desk/spec/search/migrate.test.ts proves the two agree.
import type { SearchCollectionConfig } from './config.js';

export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The weighted tsvector of a row: `setweight(to_tsvector('<language>'::regconfig, coalesce(<col>, '')), '<w>') || …`.
 * `column` qualifies each field (e.g. with a table alias); `only` keeps just these fields (the ones a caller may read).
 */
export function documentExpression(
  config: Pick<SearchCollectionConfig, 'language' | 'fields'>,
  column: (field: string) => string = quoteIdentifier,
  only?: ReadonlySet<string>,
): string | null {
  const parts = config.fields
    .filter(({ field }) => !only || only.has(field))
    .map(
      ({ field, weight }) =>
        `setweight(to_tsvector('${config.language}'::regconfig, coalesce(${column(field)}::text, '')), '${weight}')`,
    );
  return parts.length === 0 ? null : parts.join(' || ');
}

export const documentIndexName = (collection: string): string => `search_${collection}_document`.slice(0, 63);
export const trigramIndexName = (collection: string, field: string): string =>
  `search_${collection}_${field}_trgm`.slice(0, 63);

/** The statements that build a configuration's indexes (idempotent). */
export function indexStatements(config: SearchCollectionConfig): string[] {
  const table = quoteIdentifier(config.collection);
  const statements = [
    `create index if not exists ${quoteIdentifier(documentIndexName(config.collection))} on ${table} using gin ((${documentExpression(config)}))`,
  ];
  for (const { field, typo } of config.fields) {
    if (!typo) continue;
    statements.push(
      `create index if not exists ${quoteIdentifier(trigramIndexName(config.collection, field))} on ${table} using gin (${quoteIdentifier(field)} gin_trgm_ops)`,
    );
  }
  return statements;
}
