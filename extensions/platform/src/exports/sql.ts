// The fast read path of an export (decision 0060): what ItemsService.readByQuery does, step by step with Directus's
// own functions (shared/permitted-query.ts), except that the root level's SQL (getDBQuery: the caller's row filters,
// per-row field CASEs, filter, sort, limit) runs once, through a server-side cursor, instead of once per page with
// an offset. Each batch fetched is then finished exactly as runAst finishes its rows: PayloadService.processValues,
// the m2o levels read by runAst itself (applyParentFilters, mergeWithParentItems), removeTemporaryFields, and the
// items.read filter hooks; processValues is skipped where it cannot change the batch, and removeTemporaryFields'
// cloneDeep + pick is an equal copy where the AST allows (decision 0071). Only plain columns and m2o relations take
// this path (core/sql-plan.ts); the caller falls back to the ItemsService pages for anything else (null).
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import {
  directusReadInternals,
  levelQuery,
  permittedAst,
  readPermissions,
  type AstNode,
} from '../shared/permitted-query.js';
import { projectionOf, projectRows } from './core/projection.js';
import { readProcessingNeeded } from './core/read-processing.js';
import { astFallbackReason, requestFallbackReason, SQL_BATCH_SIZE, sqlSort } from './core/sql-plan.js';

type Row = Record<string, unknown>;

export interface PayloadProcessor {
  /** The special-field transformers by name (core/read-processing.ts reads the names). */
  transformers: Record<string, unknown>;
  processValues(
    action: 'read',
    payload: Row[],
    aliasMap: Record<string, string>,
    aggregate: Record<string, unknown>,
  ): Promise<Row[]>;
}
export type PayloadServiceClass = new (
  collection: string,
  options: { schema: SchemaOverview; accountability: Accountability | null; knex: Knex },
) => PayloadProcessor;
export interface Emitter {
  emitFilter<T>(event: string | string[], payload: T, meta: Record<string, unknown>, context: unknown): Promise<T>;
  emitAction(event: string | string[], meta: Record<string, unknown>, context: unknown): void;
}

export interface SqlExportRequest {
  collection: string;
  fields: string[];
  filter?: Record<string, unknown>;
  sort?: string[];
  /** -1: every row. */
  limit: number;
}

export interface SqlExportReader {
  first: Row[];
  rest: () => AsyncGenerator<Row[]>;
}

export interface SqlExportOptions {
  batchSize?: number;
  /** Told why a request reads through ItemsService instead. */
  onFallback?: (reason: string) => void;
}

let cursorCount = 0;

/**
 * The export's rows through one cursor, or null when the request is not one the fast path reads exactly as
 * ItemsService does. Refusals (a field the caller may not read: 403) are thrown as ItemsService throws them.
 */
export async function openSqlExport(
  services: { PayloadService: PayloadServiceClass; emitter: Emitter },
  request: SqlExportRequest,
  context: { schema: SchemaOverview; accountability: Accountability | null; knex: Knex },
  options: SqlExportOptions = {},
): Promise<SqlExportReader | null> {
  const { schema, accountability, knex } = context;
  const { collection } = request;
  const fallback = (reason: string) => {
    options.onFallback?.(reason);
    return null;
  };
  const primaryKey = schema.collections[collection]?.primary;
  if (!primaryKey) return fallback('unknown collection');
  const before = requestFallbackReason(request.fields, request.filter, request.sort);
  if (before) return fallback(before);

  // ItemsService.readByQuery: the items.query filter hooks (the query guard, decision 0015), then the permitted AST.
  const query = await services.emitter.emitFilter(
    ['items.query', `${collection}.items.query`],
    {
      fields: request.fields,
      ...(request.filter ? { filter: request.filter } : {}),
      sort: sqlSort(request.sort, primaryKey),
      limit: request.limit,
    } as Record<string, unknown>,
    { collection },
    { database: knex, schema, accountability },
  );
  const ast = await permittedAst(collection, query, accountability, { schema, knex });
  const types = (c: string, f: string) => schema.collections[c]?.fields[f]?.type;
  const unsupported = astFallbackReason(collection, ast.children, types);
  if (unsupported) return fallback(unsupported);

  const directus = await directusReadInternals();
  const batchSize = options.batchSize ?? SQL_BATCH_SIZE;
  // runAst's permissions: every read permission of the caller (getDBQuery picks the collection's).
  const permissions = await readPermissions(accountability, { schema, knex });
  /** Directus's root query from `offset` on, at most `limit` rows (-1: all), built on `database`. */
  const rootQuery = (database: Knex, offset: number, limit: number) =>
    levelQuery(collection, { ...ast, query: { ...ast.query, offset, limit } }, permissions, { schema, knex: database });

  // removeTemporaryFields' result without its cloneDeep of the batch (core/projection.ts), where that is provably equal.
  const projection = ast.query.aggregate ? null : projectionOf(ast.children);

  // processValues only when it can change the batch's columns (core/read-processing.ts); decided per batch on its
  // first row's keys, as processValues itself picks the fields it works on.
  const transformers = Object.keys(
    new services.PayloadService(collection, { schema, accountability, knex }).transformers,
  );
  const fields = schema.collections[collection]!.fields;
  const processingNeeded = (rows: Row[]) =>
    readProcessingNeeded(Object.keys(rows[0]!), (key) => fields[key], transformers, ast.query);

  /**
   * Rows of the root query as ItemsService returns them: runAst's `run` after its getDBQuery, then the read hooks.
   * `readsDone` is told when the batch's own database reads (the m2o levels) are over.
   */
  const finish = async (
    rows: Row[],
    database: Knex,
    nestedNodes: AstNode[],
    primaryKeyField: string,
    readsDone?: () => void,
  ) => {
    let items = rows;
    if (processingNeeded(rows)) {
      const payload = new services.PayloadService(collection, { schema, accountability, knex: database });
      items = await payload.processValues('read', rows, { ...(ast.query.alias as object) }, {});
    }
    // applyParentFilters writes this batch's keys into the nodes: a fresh copy per batch, as runAst clones its AST.
    const nested = directus.applyParentFilters(schema, structuredClone(nestedNodes), items);
    for (const node of nested) {
      const nestedAst = { ...node, query: { ...node.query, limit: -1 } };
      const nestedItems = await directus.runAst(nestedAst, schema, accountability, { knex: database, nested: true });
      if (nestedItems) items = directus.mergeWithParentItems(schema, nestedItems, items, node, true);
    }
    readsDone?.();
    items =
      (projection && projectRows(items, projection)) ??
      directus.removeTemporaryFields(schema, items, ast, primaryKeyField);
    const meta = { query, collection };
    const hookContext = { database, schema, accountability };
    items = await services.emitter.emitFilter(['items.read', `${collection}.items.read`], items, meta, hookContext);
    services.emitter.emitAction(['items.read', `${collection}.items.read`], { payload: items, ...meta }, hookContext);
    return items;
  };

  // The first batch is one plain query, read before any byte is sent (an error is still an error answer); the rest
  // is one cursor from there on, opened only when the writer asks for it, so nothing stays open if it never does.
  const firstLimit = request.limit < 0 ? batchSize : Math.min(batchSize, request.limit);
  const head = await rootQuery(knex, 0, firstLimit);
  const headRows = (await head.query) as Row[];
  const first =
    headRows.length === 0 ? [] : await finish(headRows, knex, head.nestedCollectionNodes, head.primaryKeyField);
  const more = headRows.length === firstLimit && (request.limit < 0 || request.limit > firstLimit);

  async function* rest(): AsyncGenerator<Row[]> {
    if (!more) return;
    const trx = await knex.transaction();
    let next: Promise<{ rows: Row[] }> | undefined;
    try {
      const tail = await rootQuery(trx, firstLimit, request.limit < 0 ? -1 : request.limit - firstLimit);
      const { sql, bindings } = tail.query.toSQL();
      const cursor = `groundwork_export_${++cursorCount}`;
      await trx.raw(`declare ${cursor} no scroll cursor for ${sql}`, bindings);
      const fetchBatch = () => {
        // `then` sends the FETCH now (a knex query runs when awaited); it is awaited later, so a failure is marked
        // handled here (not an unhandled rejection meanwhile) and still thrown where it is awaited.
        const fetched = trx.raw(`fetch ${batchSize} from ${cursor}`).then((result) => result as { rows: Row[] });
        fetched.catch(() => undefined);
        return fetched;
      };
      next = fetchBatch();
      while (next) {
        const { rows } = await next;
        next = undefined;
        if (rows.length === 0) break;
        const last = rows.length < batchSize;
        // The next FETCH is sent as soon as this batch's own reads are over, so Postgres reads it while this batch is
        // merged, cut down and written (one connection runs one statement at a time).
        const startNext = () => {
          if (!last) next = fetchBatch();
        };
        yield await finish(rows, trx, tail.nestedCollectionNodes, tail.primaryKeyField, startNext);
      }
    } finally {
      // Also when the consumer stops early (a client gone): the FETCH in flight, if any, is let finish (its failure
      // is of no interest then), and no further one runs. Read only: rollback ends the transaction and its cursor,
      // and frees the connection.
      await next?.catch(() => undefined);
      await trx.rollback().catch(() => undefined);
    }
  }
  return { first, rest };
}
