// What a caller may use in a query's filter, sort, aggregate and groupBy, per collection, from their read
// permissions. Directus checks only that some permission of the caller names the field; it then evaluates
// filters and sorts on the raw column, on rows (or related rows) where that field reads as null. Pure.

/** A set of field names, or every field. */
export type FieldSet = '*' | ReadonlySet<string>;

/** One read permission of the caller, reduced to what matters here. */
export interface ReadGrant {
  /** The permission's fields (null: none). */
  fields: readonly string[] | null;
  /** True when the permission has an item rule (it reads only some rows). */
  rowRule: boolean;
  /** True when its policy is limited to some IP ranges: it may not apply to this request. */
  ipLimited?: boolean;
}

export interface CollectionAccess {
  /** Fields readable on every row of the collection: a permission without item rule grants them. */
  everyRow: FieldSet;
  /** Fields readable on every row the caller can read at all: everyRow, plus those every permission grants. */
  everyVisibleRow: FieldSet;
}

export const NO_FIELDS: FieldSet = new Set<string>();

export function hasField(set: FieldSet, field: string): boolean {
  return set === '*' || set.has(field);
}

function union(a: FieldSet, b: FieldSet): FieldSet {
  if (a === '*' || b === '*') return '*';
  return new Set([...a, ...b]);
}

function intersection(a: FieldSet, b: FieldSet): FieldSet {
  if (a === '*') return b;
  if (b === '*') return a;
  return new Set([...a].filter((field) => b.has(field)));
}

function fieldSetOf(fields: readonly string[] | null): FieldSet {
  if (!fields) return NO_FIELDS;
  return fields.includes('*') ? '*' : new Set(fields);
}

/**
 * The caller's access to one collection from its read grants; null when none (Directus refuses the collection).
 * A grant of an IP-limited policy may or may not apply: it never widens everyRow, and it still narrows
 * everyVisibleRow (it may make rows visible whose other fields are hidden).
 */
export function accessFromGrants(grants: readonly ReadGrant[]): CollectionAccess | null {
  if (grants.length === 0) return null;
  let everyRow: FieldSet = NO_FIELDS;
  let everyGrant: FieldSet = '*';
  for (const grant of grants) {
    const fields = fieldSetOf(grant.fields);
    if (!grant.rowRule && !grant.ipLimited) everyRow = union(everyRow, fields);
    everyGrant = intersection(everyGrant, fields);
  }
  return { everyRow, everyVisibleRow: union(everyRow, everyGrant) };
}
