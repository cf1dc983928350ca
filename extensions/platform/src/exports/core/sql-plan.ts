// When the export may take the fast read path (decision 0060): one cursor over Directus's own root query, each
// batch finished by runAst's own steps. It is taken only for what that path provably reads as ItemsService does:
// plain columns and many-to-one relations (any depth) of them. Everything else (o2m, m2m, a2o, functions such as
// year(...), $FOLLOW, alias fields) reads through ItemsService, as before.

/** The shape of a node of Directus's read AST this check needs. */
export interface PlanNode {
  type: string;
  name: string;
  relation?: { related_collection: string | null } | null;
  children?: PlanNode[];
}

/** Field types per collection: `schema.collections[c].fields[f].type`. */
export type FieldTypes = (collection: string, field: string) => string | undefined;

/** Every key of a filter at any depth (field names, operators), never its values. */
function filterKeys(filter: unknown): string[] {
  if (Array.isArray(filter)) return filter.flatMap(filterKeys);
  if (filter === null || typeof filter !== 'object') return [];
  return Object.entries(filter).flatMap(([key, value]) => [key, ...filterKeys(value)]);
}

/** Why the request itself (before its AST is built) cannot take the fast path, or null when it may. */
export function requestFallbackReason(fields: string[], filter: unknown, sort: string[] | undefined): string | null {
  if (fields.some((field) => field.includes('('))) return 'a function in fields';
  // a2o fields are written `field:collection.child`.
  if (fields.some((field) => field.includes(':'))) return 'a many-to-any field';
  const keys = filterKeys(filter);
  if (keys.some((key) => key.startsWith('$FOLLOW'))) return '$FOLLOW in filter';
  if (keys.some((key) => key.includes('('))) return 'a function in filter';
  if ((sort ?? []).some((field) => field.includes('('))) return 'a function in sort';
  return null;
}

/** Why the permitted AST of `collection` cannot take the fast path, or null when every node is a column or an m2o. */
export function astFallbackReason(collection: string, children: PlanNode[], types: FieldTypes): string | null {
  for (const child of children) {
    if (child.type === 'field') {
      const type = types(collection, child.name);
      if (type === undefined || type === 'alias') return `field ${collection}.${child.name} is not a column`;
      continue;
    }
    if (child.type !== 'm2o') return `field ${collection}.${child.name} is a ${child.type} relation`;
    const related = child.relation?.related_collection;
    if (!related) return `field ${collection}.${child.name} has no related collection`;
    const below = astFallbackReason(related, child.children ?? [], types);
    if (below) return below;
  }
  return null;
}

/**
 * The sort of the fast path: the requested one with the primary key appended as tie-breaker (the order ItemsService
 * pages give, core/paging.ts), or the primary key alone.
 */
export function sqlSort(sort: string[] | undefined, primaryKey: string): string[] {
  const requested = (sort ?? []).filter((field) => field.length > 0);
  const mentionsKey = requested.some((field) => field === primaryKey || field === `-${primaryKey}`);
  return mentionsKey ? requested : [...requested, primaryKey];
}

/** Rows per FETCH from the cursor: one batch is in memory at a time. */
export const SQL_BATCH_SIZE = 10_000;
