// The search route as documented in OpenAPI (built from the zod contract the route validates with).
import type { RouteDoc } from '../openapi/core/document.js';
import { searchQuery, searchResponse } from './core/contract.js';

export const searchRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/groundwork/v1/search',
    operationId: 'groundworkSearch',
    summary:
      "Ranked full-text search across the configured collections (search_collections), with the caller's own row and field permissions applied in the SQL: results, counts, facets and snippets cover only what the caller may read.",
    tag: 'Search',
    public: false,
    query: searchQuery,
    responses: {
      200: {
        description: 'A page of results, best first, with counts and facets over all pages.',
        schema: searchResponse,
      },
      400: {
        description: 'Empty or unusable q, limit out of range, a bad cursor or an unknown collection (INVALID_QUERY).',
      },
      401: { description: 'Not signed in (INVALID_CREDENTIALS).' },
      503: { description: 'A search_collections row is invalid (SERVICE_UNAVAILABLE).' },
    },
  },
];
