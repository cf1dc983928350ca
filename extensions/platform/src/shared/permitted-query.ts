// The rows and fields a caller may read of a collection, as Directus itself computes them (decisions 0039, 0060).
// We run Directus's own read pipeline (ItemsService.readByQuery → runAst) without ItemsService: getAstFromQuery,
// processAst (its permission check and the per-field "cases"), fetchPolicies/fetchPermissions, parseCurrentLevel and
// getDBQuery, which give the knex query runAst would run: the caller's row filters in its WHERE and, where
// permissions differ per row, a field the caller may not read on that row selected as NULL (CASE WHEN). The search
// wraps that query (search/permitted.ts); the export streams it through a cursor and finishes each batch of rows
// with runAst's own steps (exports/sql.ts). These modules are Directus internals (no public API builds the SQL
// without running it): they are loaded at run time from the same @directus/api Directus runs, so they are the very
// module instances (caches, schema, env) of the running Directus, and pinned by its version (11.17.x).
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { loadDirectusModule } from './directus-internals.js';

export type Permission = { collection?: string; fields: string[] | null };
/** A node of Directus's read AST: the root, a field, or a relation (m2o, o2m, a2o) with its own children. */
export interface AstNode {
  type: string;
  name: string;
  fieldKey?: string;
  children: AstNode[];
  query: Record<string, unknown>;
  cases: unknown[];
  relation?: { collection: string; field: string; related_collection: string | null };
  whenCase?: number[];
}
type Context = { schema: SchemaOverview; knex: Knex };

export interface DirectusReadInternals {
  getAstFromQuery: (
    options: { collection: string; query: Record<string, unknown>; accountability: Accountability | null },
    context: Context,
  ) => Promise<AstNode>;
  processAst: (
    options: { ast: AstNode; action: 'read'; accountability: Accountability | null },
    context: Context,
  ) => Promise<AstNode>;
  parseCurrentLevel: (
    schema: SchemaOverview,
    collection: string,
    children: AstNode[],
    query: Record<string, unknown>,
  ) => Promise<{ fieldNodes: AstNode[]; nestedCollectionNodes: AstNode[]; primaryKeyField: string }>;
  fetchPolicies: (accountability: Accountability, context: Context) => Promise<string[]>;
  fetchPermissions: (
    options: { action: 'read'; collections?: string[]; policies: string[]; accountability: Accountability },
    context: Context,
  ) => Promise<Permission[]>;
  getDBQuery: (
    options: {
      table: string;
      fieldNodes: AstNode[];
      o2mNodes: AstNode[];
      query: Record<string, unknown>;
      cases: unknown[];
      permissions: Permission[];
    },
    context: Context,
  ) => Knex.QueryBuilder;
  runAst: (
    ast: AstNode,
    schema: SchemaOverview,
    accountability: Accountability | null,
    options: { knex: Knex; nested: boolean },
  ) => Promise<unknown>;
  applyParentFilters: (schema: SchemaOverview, nodes: AstNode[], items: unknown[]) => AstNode[];
  mergeWithParentItems: (
    schema: SchemaOverview,
    nested: unknown,
    parents: unknown[],
    node: AstNode,
    fieldAllowed: boolean,
  ) => Record<string, unknown>[];
  removeTemporaryFields: (
    schema: SchemaOverview,
    items: unknown[],
    ast: AstNode,
    primaryKeyField: string,
  ) => Record<string, unknown>[];
}

let internals: Promise<DirectusReadInternals> | null = null;

export function directusReadInternals(): Promise<DirectusReadInternals> {
  const load = loadDirectusModule;
  const runAst = 'database/run-ast';
  internals ??= (async () => ({
    ...(await load<Pick<DirectusReadInternals, 'getAstFromQuery'>>('database/get-ast-from-query/get-ast-from-query')),
    ...(await load<Pick<DirectusReadInternals, 'processAst'>>('permissions/modules/process-ast/process-ast')),
    ...(await load<Pick<DirectusReadInternals, 'parseCurrentLevel'>>(`${runAst}/lib/parse-current-level`)),
    ...(await load<Pick<DirectusReadInternals, 'fetchPolicies'>>('permissions/lib/fetch-policies')),
    ...(await load<Pick<DirectusReadInternals, 'fetchPermissions'>>('permissions/lib/fetch-permissions')),
    ...(await load<Pick<DirectusReadInternals, 'getDBQuery'>>(`${runAst}/lib/get-db-query`)),
    ...(await load<Pick<DirectusReadInternals, 'runAst'>>(`${runAst}/run-ast`)),
    ...(await load<Pick<DirectusReadInternals, 'applyParentFilters'>>(`${runAst}/utils/apply-parent-filters`)),
    ...(await load<Pick<DirectusReadInternals, 'mergeWithParentItems'>>(`${runAst}/utils/merge-with-parent-items`)),
    ...(await load<Pick<DirectusReadInternals, 'removeTemporaryFields'>>(`${runAst}/utils/remove-temporary-fields`)),
  }))();
  return internals;
}

/** The caller's read permissions (none for an admin, whom getDBQuery does not restrict), as runAst fetches them. */
export async function readPermissions(
  accountability: Accountability | null,
  context: Context,
  collections?: string[],
): Promise<Permission[]> {
  if (!accountability || accountability.admin) return [];
  const directus = await directusReadInternals();
  const policies = await directus.fetchPolicies(accountability, context);
  return directus.fetchPermissions(
    { action: 'read', ...(collections ? { collections } : {}), policies, accountability },
    context,
  );
}

/** The AST ItemsService.readByQuery would run for this query, permission-checked (a refused field throws 403). */
export async function permittedAst(
  collection: string,
  query: Record<string, unknown>,
  accountability: Accountability | null,
  context: Context,
): Promise<AstNode> {
  const directus = await directusReadInternals();
  const ast = await directus.getAstFromQuery({ collection, query, accountability }, context);
  return directus.processAst({ ast, action: 'read', accountability }, context);
}

export interface LevelQuery {
  /** The knex query runAst would run for this level: its readable columns (CASE WHEN per row), filter, sort, limit. */
  query: Knex.QueryBuilder;
  primaryKeyField: string;
  /** The relations below this level, read by runAst after it (not in `query`). */
  nestedCollectionNodes: AstNode[];
}

/** One level of a permitted AST as runAst's `run` builds it (o2m nodes are read after it, never in its SQL). */
export async function levelQuery(
  collection: string,
  level: { children: AstNode[]; query: Record<string, unknown>; cases: unknown[] },
  permissions: Permission[],
  context: Context,
): Promise<LevelQuery> {
  const directus = await directusReadInternals();
  const { fieldNodes, nestedCollectionNodes, primaryKeyField } = await directus.parseCurrentLevel(
    context.schema,
    collection,
    level.children,
    level.query,
  );
  const query = directus.getDBQuery(
    {
      table: collection,
      fieldNodes,
      o2mNodes: nestedCollectionNodes.filter((node) => node.type === 'o2m'),
      query: level.query,
      cases: level.cases,
      permissions,
    },
    context,
  );
  return { query, primaryKeyField, nestedCollectionNodes };
}
