// SQL text generated from a validated search configuration. The document expression is the one stored per row in
// groundwork.search_document_<collection> by the domain version's trigger (its migrate.ts holds a self-contained
// copy; extensions/service-desk/spec/search/migrate.test.ts proves the two agree): the route recomputes it from the
// fields a caller may read when it must recheck a match.
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

/** The table in schema groundwork holding a collection's stored documents (kept by a trigger). */
export const documentTable = (collection: string): string => `search_document_${collection}`.slice(0, 63);
export const trigramIndexName = (collection: string, field: string): string =>
  `search_${collection}_${field}_trgm`.slice(0, 63);
