// One search: per collection, Directus's permitted read query for the caller (permitted.ts) narrowed by the match
// on the indexed document expression, wrapped so ranking, the typo check, snippets, counts and facets read only the
// columns that query returns (a field the caller may not read is absent, or NULL on the rows it is hidden on).
// All collections are one SQL statement: each one's matches (key, score, facet), its best keys after the cursor, their
// fields and text read again for those keys only, and the counts grouped from the matches (decision 0067).
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import type { SearchCollectionConfig } from './core/config.js';
import { RANKED_MATCHES_LIMIT } from './core/contract.js';
import type { CursorPosition, SearchMode } from './core/cursor.js';
import type { ParsedQuery } from './core/query.js';
import { documentExpression, documentTable, quoteIdentifier, searchQuerySql } from './core/sql.js';
import { permittedQuery } from './permitted.js';

/** Below this many exact matches (first page), similar words match too (typo tolerance). */
export const TYPO_THRESHOLD = 3;
/** pg_trgm word similarity a typo-tolerant match needs (default 0.6 misses one-letter typos in short words). */
const WORD_SIMILARITY = 0.45;
const HEADLINE_OPTIONS =
  'MaxFragments=2, MaxWords=18, MinWords=6, StartSel=<mark>, StopSel=</mark>, FragmentDelimiter=" … "';

export interface SearchRequest {
  configs: SearchCollectionConfig[];
  query: ParsedQuery;
  limit: number;
  after: CursorPosition | null;
  mode: SearchMode;
  /** Ids and scores only: no result fields, no snippet (the app's search needs the keys, and up to 1,000 of them). */
  keysOnly?: boolean;
}

export interface SearchHit {
  collection: string;
  id: string;
  score: number;
  fields: Record<string, unknown>;
  snippet: string | null;
}

export interface SearchOutcome {
  hits: SearchHit[];
  /** One more than the page, when there is a next page. */
  more: boolean;
  /** Exact, unless `capped`: then a lower bound (as are the facets). */
  total: number;
  /** Some collection had more than RANKED_MATCHES_LIMIT candidates: only that many of its rows were ranked. */
  capped: boolean;
  byCollection: Array<{ value: string; count: number }>;
  byFacet: Array<{ collection: string; value: string; count: number }>;
}

/** SQL text with `?` placeholders and its bindings: knex inlines no builder given as a binding of raw(). */
interface Fragment {
  sql: string;
  bindings: readonly unknown[];
}
const fragmentOf = (query: Knex.QueryBuilder): Fragment => {
  const { sql, bindings } = query.toSQL();
  return { sql, bindings };
};

interface Branch {
  /**
   * The candidates, at most RANKED_MATCHES_LIMIT + 1: key, score, facet and whether the row really matches (the
   * recheck); narrow, so they stay in memory.
   */
  matches: Fragment;
  /** This collection's best keys after the cursor, from its matches. */
  top: (matches: string) => Fragment;
  /** The result fields and snippet text of the top keys, read again through the caller's permitted query. */
  page: (top: string) => Fragment;
  /** Matches per facet value, from its matches. */
  count: (matches: string) => string;
}

const escapeHtml = (sql: string) => `replace(replace(replace(${sql}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;

async function branch(
  knex: Knex,
  config: SearchCollectionConfig,
  request: SearchRequest,
  accountability: Accountability,
  schema: SchemaOverview,
): Promise<Branch | null> {
  const permitted = await permittedQuery(config, accountability, { schema, knex });
  if (!permitted) return null;
  const table = quoteIdentifier(config.collection);
  const language = `'${config.language}'::regconfig`;
  // The query (the word being typed stemmed and unstemmed) and the exclusions, which never hold a prefix.
  const searchQuery = searchQuerySql(config.language, request.query);
  const { sql: tsquery, bindings: tsqueryBindings } = searchQuery.tsquery;
  const excludedQuery = `to_tsquery(${language}, ?)`;
  const typoFields = config.fields.filter(({ typo }) => typo).map(({ field }) => field);
  const typo = request.mode === 'typo' && request.query.words.length > 0 && typoFields.length > 0;

  // Candidates: rows whose stored document (all configured fields, a superset of what the caller may read) matches,
  // found by its GIN index; the outer recheck below keeps only matches in readable text.
  const documents = `groundwork.${quoteIdentifier(documentTable(config.collection))}`;
  const baseKey = `${table}.${quoteIdentifier(permitted.primaryKey)}`;
  const similar = (column: (field: string) => string, fields: string[]) =>
    request.query.words
      .map(
        (word) => `(${fields.map((field) => `${knex.raw('?', [word]).toQuery()} <% ${column(field)}`).join(' or ')})`,
      )
      .join(' and ');
  // A similar word stands in for a word, never for an exclusion: `-word` still excludes in typo mode.
  const exclusions = typo && request.query.exclusions !== null ? request.query.exclusions : null;
  const excluding = (document: string) => (exclusions === null ? '' : ` and ${document} @@ ${excludedQuery}`);
  // Typo mode adds the rows with a similar word as a second key set, unioned: each set is found by its own GIN index
  // (documents, trigrams). An OR of the two in Directus's WHERE cannot use the trigram index and read the table whole
  // (decision 0069).
  const similarRow = (field: string) => `s.${quoteIdentifier(field)}`;
  const typoKeys = typo
    ? ` union select s.${quoteIdentifier(permitted.primaryKey)} from ${table} as s
          where ${similar(similarRow, typoFields)}${excluding(documentExpression(config, similarRow)!)}`
    : '';
  permitted.query.whereRaw(`${baseKey} in (select id from ${documents} where document @@ ${tsquery}${typoKeys})`, [
    ...tsqueryBindings,
    ...(exclusions === null ? [] : [exclusions]),
  ]);

  const readable = permitted.searchFields;
  // The base WHERE matched all configured fields: recheck on the readable text when some field is not readable by
  // the caller, on all rows (left out) or on some (NULL there).
  const recheck = permitted.fieldsVaryByRow || readable.size < config.fields.length;
  const column = (field: string) => `p.${quoteIdentifier(field)}`;
  const document = documentExpression(config, column, readable)!;
  const readableTypo = typoFields.filter((field) => readable.has(field));
  const useTypo = typo && readableTypo.length > 0;
  const readableText = `concat_ws(' ', ${config.fields
    .filter(({ field }) => readable.has(field))
    .map(({ field }) => column(field))
    .join(', ')})`;
  const exact = searchQuery.match(recheck ? document : 'd.document', readableText);
  const match = useTypo ? `(${exact.sql} or (${similar(column, readableTypo)}${excluding(document)}))` : exact.sql;
  // Also when a stem shorter than the typed word matched: whether the text has a word starting with it.
  const filtered = recheck || useTypo || Boolean(request.query.prefix?.stems);
  const similarity = useTypo
    ? ` + (${request.query.words
        .map(
          (word) =>
            `greatest(${readableTypo.map((f) => `word_similarity(${knex.raw('?', [word]).toQuery()}, coalesce(${column(f)}::text, ''))`).join(', ')})`,
        )
        .join(' + ')}) / ${request.query.words.length}`
    : '';
  const resultFields = config.result_fields.filter((field) => permitted.otherFields.has(field));
  const fieldsJson =
    resultFields.length === 0
      ? `'{}'::json`
      : `json_build_object(${resultFields.map((field) => `'${field}', ${column(field)}`).join(', ')})`;
  const facet =
    config.facet_field && permitted.otherFields.has(config.facet_field)
      ? `${column(config.facet_field)}::text`
      : 'null';
  const text = escapeHtml(
    `concat_ws(' … ', ${config.fields
      .filter(({ field }) => readable.has(field))
      .map(({ field }) => column(field))
      .join(', ')})`,
  );
  // The cap in the permitted query itself, on the base table's own key (indexed; the key Directus selects may be a
  // CASE): for a word in most rows PostgreSQL walks the key's index and stops after the cap, instead of ranking every
  // match. A subquery with a LIMIT is not flattened: its columns are computed for the capped rows only.
  const inner = fragmentOf(
    permitted.query
      .clone()
      .orderByRaw(`${baseKey} desc`)
      .limit(RANKED_MATCHES_LIMIT + 1),
  );
  const key = `p.${quoteIdentifier(permitted.primaryKey)}`;
  return {
    // Every candidate with its score and facet, nothing wider: materializing the caller's text columns of every match
    // spilled to disk for a common word (decision 0067). The recheck is a column, not a WHERE, so the candidates
    // counted against the cap are the ones the permitted query gave (decision 0077).
    matches: {
      sql: `select ${key} as search_key, ((ts_rank(${recheck ? document : 'd.document'}, ${tsquery})${similarity}) * 1000000)::bigint
           as search_score, ${facet} as search_facet, ${filtered ? match : 'true'} as search_match
         from (${inner.sql}) as p${
           // Every configured field readable on every row: rank by the stored document (no tsvector recomputed).
           recheck ? '' : ` join ${documents} as d on d.id = ${key}`
         }`,
      bindings: [
        ...tsqueryBindings,
        ...(filtered ? exact.bindings : []),
        ...(useTypo && exclusions !== null ? [exclusions] : []),
        ...inner.bindings,
      ],
    },
    top: (matches: string) => ({
      sql: `select search_key, search_score from ${matches} where search_match ${
        request.after
          ? `and (search_score < ? or (search_score = ? and ('${config.collection}', search_key::text) > (?, ?)))`
          : ''
      } order by search_score desc, search_key::text limit ?`,
      bindings: [
        ...(request.after
          ? [request.after.score, request.after.score, request.after.collection, request.after.id]
          : []),
        request.limit + 1,
      ],
    }),
    // The same permitted query again, for the top keys only (by the table's own key, so by its index): the page's
    // fields are exactly what Directus would return for these rows to this caller.
    page: (top: string) => {
      // Keys only (the app's search): nothing to read again.
      if (request.keysOnly)
        return {
          sql: `select '${config.collection}'::text as collection, t.search_key::text as id, t.search_score as score,
             '{}'::json as fields, ${language}::text as language, null::tsquery as query, null::text as text
           from ${top} as t`,
          bindings: [],
        };
      const rows = fragmentOf(permitted.query.clone().whereRaw(`${baseKey} in (select search_key from ${top})`));
      return {
        sql: `select '${config.collection}'::text as collection, ${key}::text as id, t.search_score as score,
           ${fieldsJson} as fields, ${language}::text as language, ${tsquery} as query, ${text} as text
         from (${rows.sql}) as p join ${top} as t on t.search_key = ${key}`,
        bindings: [...tsqueryBindings, ...rows.bindings],
      };
    },
    count: (matches: string) =>
      `select '${config.collection}'::text as collection, search_facet as facet,
         count(*) filter (where search_match)::int as n, count(*)::int as candidates from ${matches}
         group by search_facet`,
  };
}

export async function runSearch(
  database: Knex,
  request: SearchRequest,
  accountability: Accountability,
  schema: SchemaOverview,
): Promise<SearchOutcome> {
  const branches = (
    await Promise.all(request.configs.map((config) => branch(database, config, request, accountability, schema)))
  ).filter((branch): branch is Branch => branch !== null);
  if (branches.length === 0) return { hits: [], more: false, total: 0, capped: false, byCollection: [], byFacet: [] };
  const ctes = branches.map((_, index) => `m${index}`);
  const tops = branches.map((branch, index) => branch.top(ctes[index]!));
  const pages = branches.map((branch, index) => branch.page(`top${index}`));
  // One statement: each collection's matches (key, score, facet), its best keys, their fields and text; the counts
  // and facets grouped from the same matches.
  const sql = `with ${branches.map((branch, index) => `${ctes[index]} as materialized (${branch.matches.sql})`).join(', ')},
     ${tops.map((top, index) => `top${index} as materialized (${top.sql})`).join(', ')},
     page as (select * from (${pages.map((page) => `(${page.sql})`).join(' union all ')}) as candidates
       order by score desc, collection, id limit ?),
     counted as (${branches.map((branch, index) => branch.count(ctes[index]!)).join(' union all ')})
     select
       (select coalesce(json_agg(json_build_object('collection', collection, 'id', id, 'score', score, 'fields', fields,
          'snippet', ${request.keysOnly ? 'null' : 'ts_headline(language::regconfig, text, query, ?)'})
          order by score desc, collection, id), '[]'::json) from page) as hits,
       (select coalesce(sum(n), 0) from counted)::int as total,
       (select coalesce(bool_or(candidates > ?), false)
          from (select sum(candidates) as candidates from counted group by collection) c) as capped,
       (select coalesce(json_agg(json_build_object('value', collection, 'count', n) order by collection), '[]'::json)
          from (select collection, sum(n)::int as n from counted group by collection having sum(n) > 0) c) as by_collection,
       (select coalesce(json_agg(json_build_object('collection', collection, 'value', facet, 'count', n)
          order by collection, facet), '[]'::json)
          from counted where facet is not null and n > 0) as by_facet`;
  const bindings = [
    ...branches.flatMap((branch) => branch.matches.bindings),
    ...tops.flatMap((top) => top.bindings),
    ...pages.flatMap((page) => page.bindings),
    request.limit + 1,
    ...(request.keysOnly ? [] : [HEADLINE_OPTIONS]),
    RANKED_MATCHES_LIMIT,
  ];
  type Row = {
    hits: Array<SearchHit & { score: number | string }>;
    total: number;
    capped: boolean;
    by_collection: SearchOutcome['byCollection'];
    by_facet: SearchOutcome['byFacet'];
  };
  const run = async (knex: Knex) => ((await knex.raw(sql, bindings)) as { rows: Row[] }).rows[0]!;
  // Typo mode loosens pg_trgm's threshold for this statement only (set local: its own transaction).
  const row =
    request.mode === 'typo'
      ? await database.transaction(async (trx) => {
          await trx.raw(`set local pg_trgm.word_similarity_threshold = ${WORD_SIMILARITY}`);
          return run(trx);
        })
      : await run(database);
  const hits = row.hits.map((hit) => ({ ...hit, score: Number(hit.score) }));
  return {
    hits: hits.slice(0, request.limit),
    more: hits.length > request.limit,
    total: row.total,
    capped: row.capped,
    byCollection: row.by_collection,
    byFacet: row.by_facet,
  };
}

/**
 * The search both the route and the app's `?search=` run: exact first; when a first page has fewer than
 * TYPO_THRESHOLD exact matches, again tolerating typos, and the better of the two. A later page (a cursor) keeps the
 * mode its cursor carries.
 */
export async function searchWithTypos(
  database: Knex,
  request: SearchRequest,
  accountability: Accountability,
  schema: SchemaOverview,
): Promise<{ outcome: SearchOutcome; mode: SearchMode }> {
  const outcome = await runSearch(database, request, accountability, schema);
  if (request.after || outcome.total >= TYPO_THRESHOLD || request.query.words.length === 0)
    return { outcome, mode: request.mode };
  const tolerant = await runSearch(database, { ...request, mode: 'typo' }, accountability, schema);
  return tolerant.total > outcome.total ? { outcome: tolerant, mode: 'typo' } : { outcome, mode: 'exact' };
}
