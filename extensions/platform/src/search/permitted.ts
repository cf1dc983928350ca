// The rows and fields a caller may read of a collection, as Directus itself computes them (decision 0039). We run
// Directus's own read pipeline up to the SQL: getAstFromQuery, processAst (its permission check and the per-field
// "cases"), fetchPolicies/fetchPermissions and getDBQuery, which gives the knex query ItemsService would run: the
// caller's row filters in its WHERE and, where permissions differ per row, a field the caller may not read on that
// row selected as NULL (CASE WHEN). The search wraps that query, so it matches, ranks, counts and snippets only what
// the caller could read through /items. These modules are Directus internals (no public API builds the SQL without
// running it): they are loaded at run time from the same @directus/api Directus runs, so they are the very module
// instances (caches, schema, env) of the running Directus, and pinned by its version (11.17.x).
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { loadDirectusModule } from '../shared/directus-internals.js';
import type { SearchCollectionConfig } from './core/config.js';

type Permission = { fields: string[] | null };
interface DirectusInternals {
  getAstFromQuery: (
    options: { collection: string; query: Record<string, unknown>; accountability: Accountability | null },
    context: { schema: SchemaOverview; knex: Knex },
  ) => Promise<{ children: unknown[]; query: Record<string, unknown>; cases: unknown[] }>;
  processAst: (
    options: { ast: unknown; action: 'read'; accountability: Accountability | null },
    context: { schema: SchemaOverview; knex: Knex },
  ) => Promise<{ children: unknown[]; query: Record<string, unknown>; cases: unknown[] }>;
  parseCurrentLevel: (
    schema: SchemaOverview,
    collection: string,
    children: unknown[],
    query: Record<string, unknown>,
  ) => Promise<{ fieldNodes: unknown[]; nestedCollectionNodes: Array<{ type: string }> }>;
  fetchPolicies: (accountability: Accountability, context: { schema: SchemaOverview; knex: Knex }) => Promise<string[]>;
  fetchPermissions: (
    options: { action: 'read'; collections: string[]; policies: string[]; accountability: Accountability },
    context: { schema: SchemaOverview; knex: Knex },
  ) => Promise<Permission[]>;
  getDBQuery: (
    options: {
      table: string;
      fieldNodes: unknown[];
      o2mNodes: unknown[];
      query: Record<string, unknown>;
      cases: unknown[];
      permissions: Permission[];
    },
    context: { schema: SchemaOverview; knex: Knex },
  ) => Knex.QueryBuilder;
}

let internals: Promise<DirectusInternals> | null = null;

function directusInternals(): Promise<DirectusInternals> {
  const load = loadDirectusModule;
  internals ??= (async () => ({
    ...(await load<Pick<DirectusInternals, 'getAstFromQuery'>>('database/get-ast-from-query/get-ast-from-query')),
    ...(await load<Pick<DirectusInternals, 'processAst'>>('permissions/modules/process-ast/process-ast')),
    ...(await load<Pick<DirectusInternals, 'parseCurrentLevel'>>('database/run-ast/lib/parse-current-level')),
    ...(await load<Pick<DirectusInternals, 'fetchPolicies'>>('permissions/lib/fetch-policies')),
    ...(await load<Pick<DirectusInternals, 'fetchPermissions'>>('permissions/lib/fetch-permissions')),
    ...(await load<Pick<DirectusInternals, 'getDBQuery'>>('database/run-ast/lib/get-db-query')),
  }))();
  return internals;
}

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
  const directus = await directusInternals();
  const searchFields = config.fields.map(({ field }) => field);
  const others = [...config.result_fields, ...(config.facet_field ? [config.facet_field] : [])];

  let permissions: Permission[] = [];
  if (!accountability.admin) {
    const policies = await directus.fetchPolicies(accountability, context);
    permissions = await directus.fetchPermissions(
      { action: 'read', collections: [config.collection], policies, accountability },
      context,
    );
    if (permissions.length === 0) return null;
  }
  const allowedByAny = (field: string) =>
    accountability.admin || permissions.some((p) => p.fields?.includes('*') || p.fields?.includes(field));
  const allowedByAll = (field: string) =>
    accountability.admin || permissions.every((p) => p.fields?.includes('*') || p.fields?.includes(field));
  const readableSearch = new Set(searchFields.filter((field) => field in collection.fields && allowedByAny(field)));
  if (readableSearch.size === 0) return null;
  const readableOthers = new Set(others.filter((field) => field in collection.fields && allowedByAny(field)));
  const fields = [...new Set([collection.primary, ...readableSearch, ...readableOthers])];

  // As ItemsService.readByQuery, without running it: every row (limit -1), no sort.
  let ast = await directus.getAstFromQuery(
    { collection: config.collection, query: { fields, limit: -1 }, accountability },
    context,
  );
  ast = await directus.processAst({ ast, action: 'read', accountability }, context);
  const { fieldNodes, nestedCollectionNodes } = await directus.parseCurrentLevel(
    schema,
    config.collection,
    ast.children,
    ast.query,
  );
  const query = directus.getDBQuery(
    {
      table: config.collection,
      fieldNodes,
      o2mNodes: nestedCollectionNodes.filter((node) => node.type === 'o2m'),
      query: { ...ast.query, sort: undefined },
      cases: ast.cases,
      permissions,
    },
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
