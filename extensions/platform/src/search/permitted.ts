// The rows and fields a caller may read of a collection for the search (decision 0039): Directus's own permitted read
// query (shared/permitted-query.ts: getAstFromQuery → processAst → getDBQuery, as runAst), for the configured search,
// result and facet fields the caller may read on some rows, over every row and unsorted, for the search to wrap.
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { levelQuery, permittedAst, readPermissions } from '../shared/permitted-query.js';
import type { SearchCollectionConfig } from './core/config.js';

export interface PermittedQuery {
  /** Directus's read query for the caller: selects the primary key and the readable fields, under their names. */
  query: Knex.QueryBuilder;
  primaryKey: string;
  /** Configured search fields the caller may read on at least some rows. */
  searchFields: Set<string>;
  /** Result and facet fields the caller may read on at least some rows. */
  otherFields: Set<string>;
  /** Some readable search field is NULLed on some rows (per-row field permissions): matches must be rechecked. */
  fieldsVaryByRow: boolean;
}

/** Directus's permitted read query of one collection for the caller, or null when they may read none of it. */
export async function permittedQuery(
  config: SearchCollectionConfig,
  accountability: Accountability,
  context: { schema: SchemaOverview; knex: Knex },
): Promise<PermittedQuery | null> {
  const { schema } = context;
  const collection = schema.collections[config.collection];
  if (!collection) return null;
  const searchFields = config.fields.map(({ field }) => field);
  const others = [...config.result_fields, ...(config.facet_field ? [config.facet_field] : [])];

  const permissions = await readPermissions(accountability, context, [config.collection]);
  if (!accountability.admin && permissions.length === 0) return null;
  const allowedByAny = (field: string) =>
    accountability.admin || permissions.some((p) => p.fields?.includes('*') || p.fields?.includes(field));
  const allowedByAll = (field: string) =>
    accountability.admin || permissions.every((p) => p.fields?.includes('*') || p.fields?.includes(field));
  const readableSearch = new Set(searchFields.filter((field) => field in collection.fields && allowedByAny(field)));
  if (readableSearch.size === 0) return null;
  const readableOthers = new Set(others.filter((field) => field in collection.fields && allowedByAny(field)));
  const fields = [...new Set([collection.primary, ...readableSearch, ...readableOthers])];

  // As ItemsService.readByQuery, without running it: every row (limit -1), no sort.
  const ast = await permittedAst(config.collection, { fields, limit: -1 }, accountability, context);
  const { query } = await levelQuery(
    config.collection,
    { children: ast.children, query: { ...ast.query, sort: undefined }, cases: ast.cases },
    permissions,
    context,
  );
  query.clear('order');
  return {
    query,
    primaryKey: collection.primary,
    searchFields: readableSearch,
    otherFields: readableOthers,
    fieldsVaryByRow: [...readableSearch].some((field) => !allowedByAll(field)),
  };
}
