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
import {
  documentExpression,
  documentTable,
  headlineText,
  quoteIdentifier,
  restoreHyphens,
  searchQuerySql,
  typoTsquery,
  vocabularyTable,
  type SimilarWords,
} from './core/sql.js';
import { permittedQuery } from './permitted.js';

/** Below this many exact matches (first page), similar words match too (typo tolerance). */
export const TYPO_THRESHOLD = 3;
/** pg_trgm word similarity a stored word needs to stand for a typed one (default 0.6 misses one-letter typos in short words). */
const WORD_SIMILARITY = 0.45;
/** The most similar stored words a typed word may stand for: the closest first, then those nearest its length. */
const SIMILAR_WORDS = 8;
/** The stored document's alias in the permitted query. */
const CANDIDATE = 'search_candidate';
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

/**
 * For typo tolerance: each query word, as the collection's language queries it, and the words of its typo fields
 * most like it, from its vocabulary (decision 0079). Looked up by the vocabulary's trigram index; run where
 * pg_trgm.word_similarity_threshold is WORD_SIMILARITY.
 */
async function similarWords(knex: Knex, config: SearchCollectionConfig, words: string[]): Promise<SimilarWords[]> {
  const vocabulary = `groundwork.${quoteIdentifier(vocabularyTable(config.collection))}`;
  const { rows } = (await knex.raw(
    `select w.word, to_tsquery('${config.language}'::regconfig, w.word)::text as own,
       array(select v.word from ${vocabulary} as v where w.word <% v.word
         order by word_similarity(w.word, v.word) desc, similarity(w.word, v.word) desc, v.word
         limit ${SIMILAR_WORDS}) as similar
     from unnest(?::text[]) with ordinality as w(word, position) order by w.position`,
    [words],
  )) as { rows: SimilarWords[] };
  return rows;
}

async function branch(
  knex: Knex,
  config: SearchCollectionConfig,
  request: SearchRequest,
  accountability: Accountability,
  schema: SchemaOverview,
  similar: SimilarWords[] | undefined,
): Promise<Branch | null> {
  const permitted = await permittedQuery(config, accountability, { schema, knex });
  if (!permitted) return null;
  const table = quoteIdentifier(config.collection);
  const language = `'${config.language}'::regconfig`;
  // The query (the word being typed stemmed and unstemmed) and the exclusions, which never hold a prefix.
  const searchQuery = searchQuerySql(config.language, request.query);
  const { sql: tsquery, bindings: tsqueryBindings } = searchQuery.tsquery;
  const excludedQuery = `to_tsquery(${language}, ?)`;
  const readable = permitted.searchFields;
  // Typo mode: the typed words or similar words of the typo fields the caller may read (by their weights).
  const readableTypo = config.fields.filter(({ typo, field }) => typo && readable.has(field));
  const typoWeights = [...new Set(readableTypo.map(({ weight }) => weight))].sort().join('');
  const typoQuery = request.mode === 'typo' && similar && typoWeights !== '' ? typoTsquery(similar, typoWeights) : null;

  // Candidates: rows whose stored document (all configured fields, a superset of what the caller may read) matches,
  // found by its GIN index; the outer recheck below keeps only matches in readable text.
  const documents = `groundwork.${quoteIdentifier(documentTable(config.collection))}`;
  const baseKey = `${table}.${quoteIdentifier(permitted.primaryKey)}`;
  // A similar word stands in for a word, never for an exclusion: `-word` still excludes in typo mode.
  const exclusions = typoQuery !== null ? request.query.exclusions : null;
  const typoMatch = (document: string): Fragment => ({
    sql: `${document} @@ ${exclusions === null ? '?::tsquery' : `(?::tsquery && ${excludedQuery})`}`,
    bindings: exclusions === null ? [typoQuery] : [typoQuery, exclusions],
  });
  // Typo mode matches the stored documents on the exact query or the typo query, in the same GIN index: the typo
  // fields' words are in the documents under their weights.
  // The stored document joins the permitted query (one per row, by its key), so the candidates can be taken in its
  // position order below.
  const typoKeys = typoQuery === null ? null : typoMatch(`${CANDIDATE}.document`);
  permitted.query
    .joinRaw(`join ${documents} as ${CANDIDATE} on ${CANDIDATE}.id = ${baseKey}`)
    .whereRaw(`(${CANDIDATE}.document @@ ${tsquery}${typoKeys ? ` or ${typoKeys.sql}` : ''})`, [
      ...tsqueryBindings,
      ...(typoKeys?.bindings ?? []),
    ]);
  // The base WHERE matched all configured fields: recheck on the readable text when some field is not readable by
  // the caller, on all rows (left out) or on some (NULL there).
  const recheck = permitted.fieldsVaryByRow || readable.size < config.fields.length;
  const column = (field: string) => `p.${quoteIdentifier(field)}`;
  const document = documentExpression(config, column, readable)!;
  const readableText = `concat_ws(' ', ${config.fields
    .filter(({ field }) => readable.has(field))
    .map(({ field }) => column(field))
    .join(', ')})`;
  const stored = recheck ? document : 'p.search_document';
  const exact = searchQuery.match(stored, readableText);
  // A non-typo field sharing a typo field's weight: the typo query is checked on the typo fields' own words.
  const typoShared = config.fields.some(({ typo, weight }) => !typo && typoWeights.includes(weight));
  const typoRecheck =
    typoQuery === null
      ? null
      : typoMatch(
          typoShared ? documentExpression(config, column, new Set(readableTypo.map(({ field }) => field)))! : stored,
        );
  const match: Fragment = typoRecheck
    ? { sql: `(${exact.sql} or ${typoRecheck.sql})`, bindings: [...exact.bindings, ...typoRecheck.bindings] }
    : exact;
  // Also when a stem shorter than the typed word matched: whether the text has a word starting with it.
  const filtered = recheck || typoQuery !== null || Boolean(request.query.prefix?.stems);
  // Typo mode ranks (and highlights) by the words matched, typed or similar.
  const rankQuery = typoQuery === null ? tsquery : `(${tsquery} || ?::tsquery)`;
  const rankBindings = typoQuery === null ? tsqueryBindings : [...tsqueryBindings, typoQuery];
  const resultFields = config.result_fields.filter((field) => permitted.otherFields.has(field));
  const fieldsJson =
    resultFields.length === 0
      ? `'{}'::json`
      : `json_build_object(${resultFields.map((field) => `'${field}', ${column(field)}`).join(', ')})`;
  const facet =
    config.facet_field && permitted.otherFields.has(config.facet_field)
      ? `${column(config.facet_field)}::text`
      : 'null';
  const text = headlineText(
    escapeHtml(
      `concat_ws(' … ', ${config.fields
        .filter(({ field }) => readable.has(field))
        .map(({ field }) => column(field))
        .join(', ')})`,
    ),
  );
  // The cap in the permitted query itself, on the stored documents' position (decision 0082: the most recently
  // indexed rows first): for a word in many rows PostgreSQL walks the position index backwards, through a table
  // stored in about that order, and stops after the cap, instead of ranking every match. A subquery with a LIMIT is
  // not flattened: its columns are computed for the capped rows only. It hands on the stored document for ranking.
  const capped = permitted.query
    .clone()
    .orderByRaw(`${CANDIDATE}.position desc`)
    .limit(RANKED_MATCHES_LIMIT + 1);
  if (!recheck) capped.select(knex.raw(`${CANDIDATE}.document as search_document`));
  const inner = fragmentOf(capped);
  const key = `p.${quoteIdentifier(permitted.primaryKey)}`;
  return {
    // Every candidate with its score and facet, nothing wider: materializing the caller's text columns of every match
    // spilled to disk for a common word (decision 0067). The recheck is a column, not a WHERE, so the candidates
    // counted against the cap are the ones the permitted query gave (decision 0077).
    matches: {
      sql: `select ${key} as search_key, (ts_rank(${stored}, ${rankQuery}) * 1000000)::bigint
           as search_score, ${facet} as search_facet, ${filtered ? match.sql : 'true'} as search_match
         from (${inner.sql}) as p`,
      bindings: [...rankBindings, ...(filtered ? match.bindings : []), ...inner.bindings],
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
           ${fieldsJson} as fields, ${language}::text as language, ${rankQuery} as query, ${text} as text
         from (${rows.sql}) as p join ${top} as t on t.search_key = ${key}`,
        bindings: [...rankBindings, ...rows.bindings],
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
  return database.transaction(async (trx) => {
    // No JIT compilation for this transaction's statements (set local): the planner's estimate for a capped walk over
    // many candidates passes jit_above_cost, and compiling cost more than it saved (a customer's multi-word statement
    // at 1,000,000 tickets: 610 ms with it, 251 ms without; decision 0082).
    await trx.raw('set local jit = off');
    if (request.mode !== 'typo') return searchOnce(trx, request, accountability, schema, new Map());
    // Typo mode loosens pg_trgm's threshold for this transaction only (set local) to find similar stored words.
    await trx.raw(`set local pg_trgm.word_similarity_threshold = ${WORD_SIMILARITY}`);
    const similar = new Map<string, SimilarWords[]>();
    for (const config of request.configs)
      if (request.query.words.length > 0 && config.fields.some(({ typo }) => typo))
        similar.set(config.collection, await similarWords(trx, config, request.query.words));
    return searchOnce(trx, request, accountability, schema, similar);
  });
}

async function searchOnce(
  database: Knex,
  request: SearchRequest,
  accountability: Accountability,
  schema: SchemaOverview,
  similar: ReadonlyMap<string, SimilarWords[]>,
): Promise<SearchOutcome> {
  const branches = (
    await Promise.all(
      request.configs.map((config) =>
        branch(database, config, request, accountability, schema, similar.get(config.collection)),
      ),
    )
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
          'snippet', ${request.keysOnly ? 'null' : restoreHyphens('ts_headline(language::regconfig, text, query, ?)')})
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
  const row = ((await database.raw(sql, bindings)) as { rows: Row[] }).rows[0]!;
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
