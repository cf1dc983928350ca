// HTTP adapter: GET /groundwork/v1/search (issue 12, decision 0039): ranked full-text search across the collections
// configured in search_collections, with the caller's own Directus permissions applied inside the SQL.
import type { EndpointExtensionContext } from '@directus/types';
import type { Router } from 'express';
import type { Knex } from 'knex';
import { InvalidCredentialsError, InvalidQueryError, ServiceUnavailableError } from '../shared/errors.js';
import { parseInput, route } from '../shared/http.js';
import { chooseCollections } from './core/collections.js';
import { validateSearchConfig, type SearchCollectionConfig } from './core/config.js';
import { searchQuery } from './core/contract.js';
import { decodeCursor, encodeCursor, queryFingerprint, type CursorPosition } from './core/cursor.js';
import { parseSearchQuery } from './core/query.js';
import { searchWithTypos } from './run.js';

const badQuery = (path: string, message: string) => new InvalidQueryError({ issues: [{ path, message }] });

/**
 * The search configuration. Read with the root knex: it is the platform's own, not the caller's data (the results are
 * read with the caller's permissions). Read per request: a new snapshot version takes effect at once.
 */
export async function loadSearchConfigs(database: Knex): Promise<SearchCollectionConfig[]> {
  const rows = (await database('search_collections').select('*')) as Array<Record<string, unknown>>;
  const parsed = validateSearchConfig(
    rows.map((row) => ({
      ...row,
      fields: typeof row.fields === 'string' ? (JSON.parse(row.fields) as unknown) : row.fields,
      result_fields:
        typeof row.result_fields === 'string' ? (JSON.parse(row.result_fields) as unknown) : row.result_fields,
    })),
  );
  if (!parsed.ok) {
    const reason = parsed.problems.map((problem) => `${problem.collection}: ${problem.message}`).join('; ');
    throw new ServiceUnavailableError({ service: 'search', reason: `bad search_collections row (${reason})` });
  }
  return parsed.configs;
}

export function registerSearchRoutes(router: Router, context: EndpointExtensionContext): void {
  const loadConfigs = () => loadSearchConfigs(context.database);

  router.get(
    '/v1/search',
    route(async (req, res) => {
      const accountability = req.accountability;
      if (!accountability || (!accountability.user && !accountability.admin)) throw new InvalidCredentialsError();
      const input = parseInput(searchQuery, req.query, 'query');
      const parsed = parseSearchQuery(input.q);
      if (!parsed.ok) throw badQuery('q', parsed.reason);
      const configs = await loadConfigs();
      const chosen = chooseCollections(
        input.collections,
        configs.map((config) => config.collection),
      );
      if (!chosen.ok) throw badQuery('collections', chosen.reason);
      const fingerprint = queryFingerprint(input.q, chosen.collections);
      let after: CursorPosition | null = null;
      if (input.cursor !== undefined) {
        const decoded = decodeCursor(input.cursor, fingerprint);
        if (!decoded.ok) throw badQuery('cursor', decoded.reason);
        if (!chosen.collections.includes(decoded.position.collection))
          throw badQuery('cursor', 'not a cursor this route gave');
        after = decoded.position;
      }
      const request = {
        configs: configs.filter((config) => chosen.collections.includes(config.collection)),
        query: parsed.query,
        limit: input.limit,
        after,
        mode: after?.mode ?? ('exact' as const),
      };
      const { outcome, mode } = await searchWithTypos(context.database, request, accountability, req.schema!);
      request.mode = mode;
      const last = outcome.hits[outcome.hits.length - 1];
      res.json({
        data: outcome.hits,
        meta: {
          mode: request.mode,
          total: outcome.total,
          total_exact: !outcome.capped,
          facets: { collection: outcome.byCollection, status: outcome.byFacet },
          next_cursor:
            outcome.more && last
              ? encodeCursor(
                  { mode: request.mode, score: last.score, collection: last.collection, id: last.id },
                  fingerprint,
                )
              : null,
        },
      });
    }),
  );
}
