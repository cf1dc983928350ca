// Hook adapter: Directus's own `?search=` on a collection configured for search goes through the ranked index
// (issue 12 Search item 4, decision 0063). On `items.query` (ItemsService.readByQuery: REST lists and aggregates,
// GraphQL, websocket subscriptions), the search runs as the caller and its matching primary keys replace `search`
// as a filter; Directus then reads with its own permissions on top, so nothing the caller could not read appears.
import type { Accountability, HookExtensionContext, RegisterFunctions, SchemaOverview } from '@directus/types';
import type { NextFunction, Request, Response } from 'express';
import type { Knex } from 'knex';
import { APP_SEARCH_LIMIT, matchesFilter, planAppSearch } from './core/app-search.js';
import type { SearchCollectionConfig } from './core/config.js';
import type { ParsedQuery } from './core/query.js';
import { loadSearchConfigs } from './routes.js';
import { searchWithTypos } from './run.js';

/** The best matches' primary keys, as the search route would rank them for this caller (typos when few match). */
async function rankedKeys(
  database: Knex,
  config: SearchCollectionConfig,
  query: ParsedQuery,
  accountability: Accountability,
  schema: SchemaOverview,
): Promise<string[]> {
  const request = { configs: [config], query, limit: APP_SEARCH_LIMIT, after: null, mode: 'exact' as const };
  const { outcome } = await searchWithTypos(database, { ...request, keysOnly: true }, accountability, schema);
  return outcome.hits.map((hit) => hit.id);
}

export function registerAppSearch({ filter, init }: RegisterFunctions, context: HookExtensionContext): void {
  filter('items.query', async (payload, meta, ctx) => {
    const query = payload as Record<string, unknown> | null;
    // Most reads carry no search: decided before any configuration is read.
    if (typeof query !== 'object' || query === null || typeof query['search'] !== 'string') return payload;
    const accountability = (ctx['accountability'] ?? null) as Accountability | null;
    const schema = (ctx['schema'] ?? null) as SchemaOverview | null;
    // Directus's internal reads (no caller) and share links (the share's own permissions) keep its search.
    if (!accountability || accountability.share || !schema) return payload;
    const collection = String(meta['collection']);
    const configs = await loadSearchConfigs(context.database);
    const plan = planAppSearch(
      query['search'],
      collection,
      configs.map((config) => config.collection),
    );
    if (!plan.take) return payload;
    const config = configs.find((candidate) => candidate.collection === collection)!;
    const primaryKey = schema.collections[collection]?.primary;
    if (!primaryKey) return payload;
    const database = (ctx['database'] as Knex | undefined) ?? context.database;
    const keys = await rankedKeys(database, config, plan.query, accountability, schema);
    // Nothing in the index, typos tolerated: Directus's own search still runs, so nothing staff found before is
    // lost (text inside a word, a code like SD-1042 in no search field). Its LIKE scan costs only these searches.
    if (keys.length === 0) return payload;
    const filter = matchesFilter(primaryKey, keys, query['filter']);
    // In place where it may be: the items controller counts `meta=filter_count` from this same object after the
    // read (REST's query is made editable by editableSearchQuery). Otherwise a copy, which the read uses.
    if (Object.isFrozen(query)) return { ...omitSearch(query), filter };
    query['filter'] = filter;
    delete query['search'];
    return query;
  });

  init('middlewares.after', ({ app }) => app.use(editableSearchQuery));
}

/**
 * Directus freezes REST's sanitized query; a search's is swapped for an editable copy (after Directus's sanitizing,
 * before its routes) for the hook above, so that `meta=filter_count`, which MetaService counts from that object
 * without any event, counts the same rows as the list.
 */
function editableSearchQuery(req: Request, _res: Response, next: NextFunction): void {
  const request = req as Request & { sanitizedQuery?: Record<string, unknown> };
  const sanitized = request.sanitizedQuery;
  if (sanitized && typeof sanitized['search'] === 'string' && Object.isFrozen(sanitized))
    request.sanitizedQuery = { ...sanitized };
  next();
}

function omitSearch(query: Record<string, unknown>): Record<string, unknown> {
  const { search: _search, ...rest } = query;
  return rest;
}
