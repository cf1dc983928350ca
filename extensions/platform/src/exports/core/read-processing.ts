// Whether Directus's PayloadService.processValues('read', rows) can change a batch of the export's rows. When it
// cannot, the fast path (sql.ts) skips it: it awaits each special field's transformer once per row (four awaits a row
// for a ticket: its uuid key and three m2o keys), a tenth of the export's CPU time once the rest was made cheaper
// (docs/benchmarks.md "Export", 2026-12-04). For `read` with no alias and no aggregate, processValues (11.17) only
// - runs the transformers of each field's `special` that the rows hold: those of IDENTITY_ON_READ give the value
//   back on read (a shallow clone of it, equal), a special that names no transformer (m2o, o2m, alias...) also;
// - parses geometry columns and formats date, dateTime, timestamp and time columns the rows hold.
// So it is needed when the rows hold a column of such a type, or one with any other transformer (cast-boolean,
// cast-json, cast-csv, conceal, encrypt, or one a later Directus adds: unknown means needed). Pure.

/** Transformers of PayloadService that return the value unchanged on read (11.17.4's payload.js). */
export const IDENTITY_ON_READ: readonly string[] = [
  'uuid',
  'hash',
  'user-created',
  'user-updated',
  'role-created',
  'role-updated',
  'date-created',
  'date-updated',
];

/** Field types processValues converts on read (processDates, processGeometries). */
const PROCESSED_TYPES = new Set(['date', 'dateTime', 'timestamp', 'time']);

export interface FieldShape {
  type: string;
  special?: string[] | null;
}

/**
 * True when processValues('read') may change rows holding these keys: a key of a date or geometry type, or with a
 * special that is a transformer not known to be an identity on read; or any alias or aggregate (not examined here).
 */
export function readProcessingNeeded(
  keys: string[],
  fieldOf: (key: string) => FieldShape | undefined,
  transformers: readonly string[],
  query: { alias?: Record<string, unknown> | null; aggregate?: Record<string, unknown> | null } = {},
): boolean {
  if (Object.keys(query.alias ?? {}).length > 0 || Object.keys(query.aggregate ?? {}).length > 0) return true;
  const acting = new Set(transformers.filter((name) => !IDENTITY_ON_READ.includes(name)));
  return keys.some((key) => {
    const field = fieldOf(key);
    if (!field) return false; // processValues reads the schema's fields only
    if (PROCESSED_TYPES.has(field.type) || field.type.startsWith('geometry')) return true;
    return (field.special ?? []).some((special) => acting.has(special));
  });
}
