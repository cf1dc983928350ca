// The rows of an export, read with the caller's accountability: the same row rules, field lists, relational reads
// and query guard (decision 0015) as GET /items. Plain columns and m2o fields take the fast path (sql.ts, decision
// 0060): Directus's own root query through one cursor, each batch finished by runAst's own steps. Anything else is
// read page by page through Directus's ItemsService (decision 0043), each page one bounded query (core/paging.ts).
// Either way the next batch is read only when the writer asks for more, so memory holds one batch.
import type { Accountability, SchemaOverview } from '@directus/types';
import type { Knex } from 'knex';
import { loadDirectusModule } from '../shared/directus-internals.js';
import { nextPage, pageSize, planPaging, type PagingPlan } from './core/paging.js';
import { openSqlExport, type Emitter, type PayloadServiceClass } from './sql.js';

type Row = Record<string, unknown>;
type Filter = Record<string, unknown>;

export interface ItemsReader {
  readByQuery(query: Record<string, unknown>): Promise<Row[]>;
}
export type ItemsServiceClass = new (
  collection: string,
  options: { schema: SchemaOverview; accountability: Accountability | null; knex?: Knex },
) => ItemsReader;

export interface ExportRequest {
  collection: string;
  fields: string[];
  filter?: Filter;
  sort?: string[];
  /** -1: every row. */
  limit: number;
}

export interface ExportReader {
  /** The first page, read before any byte is sent: a refused query is still an error answer, not a cut stream. */
  first: Row[];
  /** Every later page; stops early when the consumer stops asking (a client gone). */
  rest: () => AsyncGenerator<Row[]>;
  plan: PagingPlan;
  /** Which read path serves the rows: one cursor (sql.ts) or ItemsService pages. */
  path: 'sql' | 'items';
}

/**
 * The very PayloadService and global emitter ItemsService uses (the module instances Directus loaded), so the fast
 * path's value processing and items.query / items.read hooks are ItemsService's.
 */
async function readServices(): Promise<{ PayloadService: PayloadServiceClass; emitter: Emitter }> {
  const [{ PayloadService }, { default: emitter }] = await Promise.all([
    loadDirectusModule<{ PayloadService: PayloadServiceClass }>('services/payload'),
    loadDirectusModule<{ default: Emitter }>('emitter'),
  ]);
  return { PayloadService, emitter };
}

export async function openExport(
  ItemsService: ItemsServiceClass,
  request: ExportRequest,
  context: { schema: SchemaOverview; accountability: Accountability | null; knex: Knex },
  pageSizeMax?: number,
  options: { onFallback?: (reason: string) => void } = {},
): Promise<ExportReader> {
  const sql = await openSqlExport(await readServices(), request, context, {
    ...(pageSizeMax ? { batchSize: pageSizeMax } : {}),
    ...options,
  });
  const collection = context.schema.collections[request.collection];
  const primaryKey = collection?.primary ?? 'id';
  const plan = planPaging(request.sort, request.fields, primaryKey, collection?.fields[primaryKey]?.type ?? 'unknown');
  if (sql) return { ...sql, plan, path: 'sql' };
  const service = new ItemsService(request.collection, context);
  const fields = plan.addPrimaryKey ? [...request.fields, primaryKey] : request.fields;
  let rowsRead = 0;
  let lastKey: unknown = undefined;
  let done = false;

  /** The next page, or null when every row (up to the limit) has been read. */
  const read = async (): Promise<Row[] | null> => {
    const size = pageSize(request.limit, rowsRead, pageSizeMax);
    if (done || size === 0) return null;
    const page = nextPage(plan, primaryKey, request.filter, { lastKey, rowsRead }, size);
    const rows = await service.readByQuery({ ...page, fields });
    rowsRead += rows.length;
    done = rows.length < size;
    if (rows.length === 0) return null;
    lastKey = rows[rows.length - 1]![primaryKey];
    return plan.addPrimaryKey ? rows.map(({ [primaryKey]: _key, ...shown }) => shown) : rows;
  };

  const first = (await read()) ?? [];
  async function* rest(): AsyncGenerator<Row[]> {
    for (let rows = await read(); rows; rows = await read()) yield rows;
  }
  return { first, rest, plan, path: 'items' };
}
