// Directus's own parsing of an export's fields, filter and sort (its sanitizeQuery and validateQuery, as its query
// middleware runs them for /items and the GET route), for the callers that get the query as text outside a GET: the
// Flow operation, and background runs (at acceptance and again in the worker, as the user is then).
import type { Accountability, SchemaOverview } from '@directus/types';
import { loadDirectusModule } from '../shared/directus-internals.js';

export interface ParsedQuery {
  fields?: string[];
  filter?: Record<string, unknown>;
  sort?: string[];
}
interface QueryTools {
  sanitizeQuery(
    raw: Record<string, unknown>,
    schema: SchemaOverview,
    accountability: Accountability,
  ): Promise<ParsedQuery>;
  validateQuery(query: ParsedQuery): void;
}
let queryTools: Promise<QueryTools> | null = null;
const directusQuery = () =>
  (queryTools ??= (async () => ({
    ...(await loadDirectusModule<Pick<QueryTools, 'sanitizeQuery'>>('utils/sanitize-query')),
    ...(await loadDirectusModule<Pick<QueryTools, 'validateQuery'>>('utils/validate-query')),
  }))());

/** fields (default *), filter (JSON text) and sort as the GET's query string gives them; a bad one is a 400. */
export async function parseExportQuery(
  text: { fields?: string | null; filter?: string | null; sort?: string | null },
  schema: SchemaOverview,
  accountability: Accountability,
): Promise<{ fields: string[]; filter?: Record<string, unknown>; sort?: string[] }> {
  const tools = await directusQuery();
  const query = await tools.sanitizeQuery(
    {
      fields: text.fields || '*',
      ...(text.filter ? { filter: text.filter } : {}),
      ...(text.sort ? { sort: text.sort } : {}),
    },
    schema,
    accountability,
  );
  tools.validateQuery(query);
  return { fields: query.fields ?? ['*'], filter: query.filter, sort: query.sort };
}
