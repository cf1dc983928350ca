// How an export reads all matching rows in pages, each a bounded query. Sorted by the primary key alone (the default)
// and when Directus can compare that key (_gt/_lt: integer keys; not uuid or string ones), pages are keyset pages
// (pk > last); any other sort gets the primary key appended as a tie-breaker (a total order)
// and offset pages, which Postgres must skip through: slower on deep pages, but exact, and no timestamp precision or
// NULL ordering to replicate in a keyset filter.

export const PAGE_SIZE = 5000;

type Filter = Record<string, unknown>;

export interface PagingPlan {
  mode: 'keyset' | 'offset';
  sort: string[];
  /** Add the primary key to fields to page by it, and drop it from the rows written. */
  addPrimaryKey: boolean;
  descending: boolean;
}

/** Whether `fields` already yields the top-level primary key (a top-level * does). */
function selectsPrimaryKey(fields: string[], primaryKey: string): boolean {
  return fields.includes('*') || fields.includes(primaryKey);
}

/** Primary key types Directus's filters can compare with _gt and _lt. */
export const KEYSET_KEY_TYPES = ['integer', 'bigInteger'];

export function planPaging(
  sort: string[] | undefined,
  fields: string[],
  primaryKey: string,
  primaryKeyType: string,
): PagingPlan {
  const requested = (sort ?? []).filter((field) => field.length > 0);
  const addPrimaryKey = !selectsPrimaryKey(fields, primaryKey);
  const keyset = KEYSET_KEY_TYPES.includes(primaryKeyType);
  if (keyset && (requested.length === 0 || (requested.length === 1 && requested[0] === primaryKey)))
    return { mode: 'keyset', sort: [primaryKey], addPrimaryKey, descending: false };
  if (keyset && requested.length === 1 && requested[0] === `-${primaryKey}`)
    return { mode: 'keyset', sort: [`-${primaryKey}`], addPrimaryKey, descending: true };
  // Offset pages need the key only in the sort, as the tie-breaker that makes the order total.
  const mentionsKey = requested.some((field) => field === primaryKey || field === `-${primaryKey}`);
  return {
    mode: 'offset',
    sort: mentionsKey ? requested : [...requested, primaryKey],
    addPrimaryKey: false,
    descending: false,
  };
}

export interface PageRequest {
  filter?: Filter;
  sort: string[];
  limit: number;
  offset?: number;
}

/** The query of the next page: after `lastKey` (keyset) or `rowsRead` rows in (offset), at most `size` rows. */
export function nextPage(
  plan: PagingPlan,
  primaryKey: string,
  filter: Filter | undefined,
  position: { lastKey: unknown; rowsRead: number },
  size: number,
): PageRequest {
  if (plan.mode === 'offset') {
    return { ...(filter ? { filter } : {}), sort: plan.sort, limit: size, offset: position.rowsRead };
  }
  if (position.lastKey === undefined) return { ...(filter ? { filter } : {}), sort: plan.sort, limit: size };
  const after: Filter = { [primaryKey]: { [plan.descending ? '_lt' : '_gt']: position.lastKey } };
  return { filter: filter ? { _and: [filter, after] } : after, sort: plan.sort, limit: size };
}

/** The size of the next page under the caller's overall limit (-1: none); 0 when done. */
export function pageSize(limit: number, rowsRead: number, pageSizeMax = PAGE_SIZE): number {
  if (limit < 0) return pageSizeMax;
  return Math.max(0, Math.min(pageSizeMax, limit - rowsRead));
}
