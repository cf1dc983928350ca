// The search route's zod contract: the route validates with it and OpenAPI is built from it.
import { z } from 'zod';
import { MAX_QUERY_LENGTH } from './query.js';

/**
 * At most this many candidate rows per collection (plus one, which says there are more) are ranked and counted
 * (decisions 0077 and 0082): a word in most of a million rows took seconds to rank in full, and the cost of a broad
 * query grows with the cap. Past it, the most recently indexed candidates are the ones ranked, and the total and
 * facets are lower bounds.
 */
export const RANKED_MATCHES_LIMIT = 2_000;

export const MAX_LIMIT = 50;

export const searchQuery = z
  .object({
    // Not trimmed: a trailing space says the last word is whole (no prefix match).
    q: z
      .string()
      .min(1)
      .max(MAX_QUERY_LENGTH)
      .describe(
        'What to find, websearch syntax: words (all must match), "a phrase", -excluded, a or b. The last word matches as a prefix unless followed by a space.',
      ),
    collections: z
      .string()
      .max(500)
      .optional()
      .describe('Comma-separated configured collections to search (default: all configured).'),
    limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(10).describe(`Results per page, 1-${MAX_LIMIT}.`),
    cursor: z.string().max(512).optional().describe('meta.next_cursor of the previous page (same q and collections).'),
  })
  .strict();
export type SearchQueryInput = z.infer<typeof searchQuery>;

const hit = z.object({
  collection: z.string(),
  id: z.string(),
  score: z
    .number()
    .int()
    .describe('Rank × 10⁶ (ts_rank of the words matched, in typo mode also the similar ones); higher first.'),
  fields: z.record(z.string(), z.unknown()).describe("The collection's result fields the caller may read."),
  snippet: z
    .string()
    .nullable()
    .describe('Matching text with <mark>…</mark>; the rest HTML-escaped. Only from fields the caller may read.'),
});

export const searchResponse = z.object({
  data: z.array(hit),
  meta: z.object({
    mode: z.enum(['exact', 'typo']).describe('typo: exact matches were few, so similar words matched too.'),
    total: z
      .number()
      .int()
      .describe('Results over all pages (only rows the caller may read); a lower bound when total_exact is false.'),
    total_exact: z
      .boolean()
      .describe(
        `false when a collection had more than ${RANKED_MATCHES_LIMIT.toLocaleString('en-US')} candidate rows: only that many (plus one) were ranked, the most recently indexed first, so the pages hold the best of those, and total and facets are lower bounds.`,
      ),
    facets: z.object({
      collection: z.array(z.object({ value: z.string(), count: z.number().int() })),
      status: z.array(z.object({ collection: z.string(), value: z.string(), count: z.number().int() })),
    }),
    next_cursor: z.string().nullable(),
  }),
});
