// The admin app's `?search=` through the ranked index (issue 12 Search item 4, decision 0063): which item queries
// the items.query hook takes over, and the filter that replaces their `search` with the matching primary keys.
// Directus then reads with that filter and the caller's permissions, so the list, its sort, `meta=filter_count` and
// `aggregate[count]` all cover the same rows.
import { parseSearchQuery, type ParsedQuery } from './query.js';

/** At most this many matches, the best by rank, stand in for a search (a filter of that many keys). */
export const APP_SEARCH_LIMIT = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^-?\d+(\.\d+)?$/;

export type AppSearchPlan = { take: true; query: ParsedQuery } | { take: false; reason: string };

/**
 * Whether the ranked index answers this search. A UUID or a number keeps Directus's search, which compares uuid and
 * numeric fields exactly (a pasted id or a ticket number finds its row); so does text our parser takes no word
 * from (Directus looks for it literally).
 */
export function planAppSearch(search: unknown, collection: string, configured: readonly string[]): AppSearchPlan {
  if (typeof search !== 'string' || search.trim() === '') return { take: false, reason: 'no search' };
  if (!configured.includes(collection)) return { take: false, reason: 'collection not configured for search' };
  if (UUID.test(search.trim())) return { take: false, reason: 'a UUID: Directus compares uuid fields exactly' };
  if (NUMBER.test(search.trim())) return { take: false, reason: 'a number: Directus compares numeric fields exactly' };
  const parsed = parseSearchQuery(search);
  if (!parsed.ok) return { take: false, reason: parsed.reason };
  return { take: true, query: parsed.query };
}

export type ItemFilter = Record<string, unknown>;

/**
 * The query's filter narrowed to these primary keys. No key gives a filter no row passes (the primary key is never
 * NULL), rather than an empty `_in`, whose meaning is knex's to decide.
 */
export function matchesFilter(primaryKey: string, keys: readonly string[], existing: unknown): ItemFilter {
  const matches = keys.length === 0 ? { [primaryKey]: { _null: true } } : { [primaryKey]: { _in: [...keys] } };
  const hasExisting = typeof existing === 'object' && existing !== null && Object.keys(existing).length > 0;
  return hasExisting ? { _and: [existing, matches] } : matches;
}
