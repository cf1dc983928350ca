// SQL text generated from a validated search configuration. The document expression is the one stored per row in
// groundwork.search_document_<collection> by the domain version's trigger (its migrate.ts holds a self-contained
// copy; extensions/service-desk/spec/search/migrate.test.ts proves the two agree): the route recomputes it from the
// fields a caller may read when it must recheck a match.
import type { SearchCollectionConfig } from './config.js';
import type { ParsedQuery } from './query.js';

export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * `text` with every hyphen between a letter or digit and a digit replaced as `replacement` (a SQL replacement string
 * whose \1 and \2 are the characters around the hyphen). Two passes: a match takes the character on each side, so
 * `a-0-1` leaves `-1` to the second. No `?` (lookaround) in the pattern, which knex would read as a binding.
 */
const separateHyphenBeforeDigit = (text: string, replacement: string): string => {
  const pass = `'([[:alnum:]])-([[:digit:]])', ${replacement}, 'g'`;
  return `regexp_replace(regexp_replace(${text}, ${pass}), ${pass})`;
};

/**
 * A field's text as the search parses it: a hyphen between a letter or digit and a digit separates two words.
 * PostgreSQL's parser reads `-12` there as a signed number (`SD-1042` is `sd` and `-1042`, `floor-2-12ab` loses
 * `12ab`), while the query parser splits every such word (`sd <-> 1042`), so the typed code or word never matched
 * (decision 0080).
 */
export const searchableText = (text: string): string =>
  separateHyphenBeforeDigit(`coalesce(${text}::text, '')`, `'\\1 \\2'`);

/**
 * A snippet's text with those hyphens as chr(1): the parser separates on it as on the document's space, so the code
 * is highlighted, and `restoreHyphens` shows the text as written.
 */
export const headlineText = (text: string): string => separateHyphenBeforeDigit(text, `'\\1' || chr(1) || '\\2'`);
export const restoreHyphens = (headline: string): string => `replace(${headline}, chr(1), '-')`;

/**
 * The weighted tsvector of a row: `setweight(to_tsvector('<language>'::regconfig, <searchableText(col)>), '<w>') || …`.
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
        `setweight(to_tsvector('${config.language}'::regconfig, ${searchableText(column(field))}), '${weight}')`,
    );
  return parts.length === 0 ? null : parts.join(' || ');
}

/** The table in schema groundwork holding a collection's stored documents (kept by a trigger). */
export const documentTable = (collection: string): string => `search_document_${collection}`.slice(0, 63);
/** The table in schema groundwork holding the distinct words of a collection's typo fields (kept by the triggers). */
export const vocabularyTable = (collection: string): string => `search_vocabulary_${collection}`.slice(0, 63);

/** A word of the query and what the vocabulary holds like it. */
export interface SimilarWords {
  word: string;
  /** The word as the collection's language queries it (`to_tsquery(language, word)::text`); empty for a stop word. */
  own: string;
  /** Stored words similar to it (lexemes of typo fields, most similar first). */
  similar: string[];
}

const tsqueryLexeme = (lexeme: string) => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/**
 * The tsquery text a typo-tolerant search matches documents with: for each word, the word itself or a similar
 * stored word in a typo field (a lexeme restricted to those fields' `weights`, e.g. `'password':A`), ANDed. A stop word
 * is left out, as the exact query leaves it out. Null when no word has a similar stored word: nothing more to find.
 */
export function typoTsquery(words: readonly SimilarWords[], weights: string): string | null {
  const groups = words.filter(({ own }) => own !== '');
  if (!groups.some(({ similar }) => similar.length > 0)) return null;
  return groups
    .map(
      ({ own, similar }) =>
        `(${[`(${own})`, ...similar.map((word) => `${tsqueryLexeme(word)}:${weights}`)].join(' | ')})`,
    )
    .join(' & ');
}

/** SQL text with `?` placeholders and its bindings. */
export interface SqlFragment {
  sql: string;
  bindings: string[];
}

/**
 * A parsed query in SQL for a collection's language. `tsquery` finds the candidates (in the GIN index), ranks and
 * highlights them; `match` says whether a row really matches. The word being typed matches stemmed (in
 * `query.tsquery`) or unstemmed (`simple`) within its AND group: `q | (others & unstemmed)` equals q with the
 * prefix replaced by `(stemmed | unstemmed)`. A stored stem shorter than the typed word ('run' for 'runn') counts
 * only where the text has a word starting with what was typed, so typing 'organiz' does not find 'organ'.
 * to_tsquery with a constant configuration is immutable: PostgreSQL folds each to a constant when it plans.
 */
export function searchQuerySql(
  language: string,
  query: Pick<ParsedQuery, 'tsquery' | 'prefix'>,
): { tsquery: SqlFragment; match: (document: string, text: string) => SqlFragment } {
  const inLanguage = `to_tsquery('${language}'::regconfig, ?)`;
  const simple = `to_tsquery('simple'::regconfig, ?)`;
  const { prefix } = query;
  if (!prefix) {
    const tsquery = { sql: inLanguage, bindings: [query.tsquery] };
    return { tsquery, match: (document) => ({ sql: `${document} @@ ${tsquery.sql}`, bindings: tsquery.bindings }) };
  }
  const inGroup = (alternative: string): SqlFragment =>
    prefix.others === null
      ? { sql: simple, bindings: [alternative] }
      : { sql: `(${inLanguage} && ${simple})`, bindings: [prefix.others, alternative] };
  const typed = inGroup(prefix.typed);
  const main = { sql: `(${inLanguage} || ${typed.sql})`, bindings: [query.tsquery, ...typed.bindings] };
  if (prefix.stems === null)
    return { tsquery: main, match: (document) => ({ sql: `${document} @@ ${main.sql}`, bindings: main.bindings }) };
  const stems = inGroup(prefix.stems);
  return {
    tsquery: { sql: `(${main.sql} || ${stems.sql})`, bindings: [...main.bindings, ...stems.bindings] },
    match: (document, text) => ({
      // strpos first: parsing the text costs ~5× more, and a common shorter stem ('print' for 'printer') makes many
      // candidates (measured in docs/decisions/0039-permission-aware-search.md).
      sql: `(${document} @@ ${main.sql} or (${document} @@ ${stems.sql} and strpos(lower(${text}), lower(?)) > 0 and to_tsvector('simple'::regconfig, ${text}) @@ ${simple}))`,
      bindings: [...main.bindings, ...stems.bindings, prefix.word, prefix.typed],
    }),
  };
}
