// The fast path's last step before the read hooks: the rows of a batch cut down to the requested fields, as Directus's
// removeTemporaryFields cuts them (the keys runAst added to read a relation, e.g. a foreign key or a primary key, are
// dropped). Directus does that with a cloneDeep of the whole batch and a lodash `pick` per row, which was a fifth of
// the export's CPU time (docs/benchmarks.md "Export", 2026-12-04). For a tree of plain fields and many-to-one
// relations only (what the fast path reads, core/sql-plan.ts) the same result is a copy of the kept keys: a new
// object per row and per related item, in the AST's order, with object values (JSON, dates) copied deep as cloneDeep
// copies them. Anything else keeps Directus's own function (null here). Pure.

type Row = Record<string, unknown>;

/** The shape of a node of Directus's read AST this needs. */
export interface ProjectionNode {
  type: string;
  fieldKey?: string;
  name: string;
  alias?: boolean;
  children?: ProjectionNode[];
}

export interface Projection {
  /** The kept keys in order; `nested` set for a many-to-one relation. */
  keys: Array<{ key: string; nested: Projection | null }>;
}

/**
 * The projection removeTemporaryFields applies to rows of this AST level, or null when the level holds anything but
 * plain fields and m2o relations, an alias, or a key lodash's `pick` would read as a path (`.`, `[`, `]`) or
 * Directus as a function (`(`).
 */
export function projectionOf(children: ProjectionNode[]): Projection | null {
  const keys: Projection['keys'] = [];
  for (const child of children) {
    const key = child.fieldKey;
    if (key === undefined || key.length === 0 || child.alias === true || /[.[\]()]/.test(key)) return null;
    if (child.type === 'field') {
      keys.push({ key, nested: null });
      continue;
    }
    if (child.type !== 'm2o') return null;
    const nested = projectionOf(child.children ?? []);
    if (!nested) return null;
    keys.push({ key, nested });
  }
  return keys.length > 0 ? { keys } : null;
}

const isPlainObject = (value: unknown): value is Row => {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

/** A value as cloneDeep copies it: arrays, plain objects and dates anew, anything else (primitives) as is. */
function copyValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(copyValue);
  if (isPlainObject(value)) {
    const copy: Row = {};
    for (const key of Object.keys(value)) copy[key] = copyValue(value[key]);
    return copy;
  }
  return UNCOPIABLE;
}

const UNCOPIABLE = Symbol('uncopiable');

/** One item cut down, or UNCOPIABLE when it holds something this copy does not reproduce. */
function projectItem(item: Row, projection: Projection): Row | typeof UNCOPIABLE {
  const kept: Row = {};
  for (const { key, nested } of projection.keys) {
    const value = item[key];
    if (nested) {
      // removeTemporaryFields assigns the related item's result back first, so the key is always kept: null (no
      // related item), undefined, or the related item cut down.
      if (value === null || value === undefined) kept[key] = value;
      else if (!isPlainObject(value)) return UNCOPIABLE;
      else {
        const related = projectItem(value, nested);
        if (related === UNCOPIABLE) return UNCOPIABLE;
        kept[key] = related;
      }
      continue;
    }
    // lodash's pick keeps a key the item has (even when undefined), and nothing for one it lacks.
    if (!(key in item)) continue;
    const copy = copyValue(value);
    if (copy === UNCOPIABLE) return UNCOPIABLE;
    kept[key] = copy;
  }
  return kept;
}

/**
 * The rows cut down to the projection, new objects throughout (the input is not changed), or null when a value is
 * one this copy does not reproduce exactly (a class instance other than Date, such as a Buffer, or a relation that
 * holds a key instead of an item): the caller then runs Directus's removeTemporaryFields on the batch.
 */
export function projectRows(rows: Row[], projection: Projection): Row[] | null {
  const kept: Row[] = new Array<Row>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (!isPlainObject(row)) return null;
    const item = projectItem(row, projection);
    if (item === UNCOPIABLE) return null;
    kept[i] = item;
  }
  return kept;
}
