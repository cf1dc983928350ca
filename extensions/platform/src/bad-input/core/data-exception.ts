// Which database errors are the client's fault. PostgreSQL reports a value that does not fit its column's type
// (not a uuid, not a date, out of range, a NUL byte) as an SQLSTATE of class 22 "data exception"; Directus
// translates only a few of them, on writes, and answers every other one with a 500.

export type InputPart = 'query' | 'payload';

export interface DataException {
  part: InputPart;
  /** Says what kind of value was wrong, never the SQL, the table or the value. */
  reason: string;
}

const REASONS: Record<string, string> = {
  '22P02': 'A value is not valid for the type of the field it is compared with or written to',
  '22007': 'A date or time value is not valid',
  '22008': 'A date or time value is out of range',
  '22003': 'A number is out of range for its field',
  '22021': 'A text value contains a character that is not allowed (such as a NUL byte)',
  '22025': 'A text pattern has an invalid escape sequence',
  '2201B': 'A regular expression is not valid',
  '22012': 'A value leads to a division by zero',
  '22001': 'A text value is too long for its field',
  '22023': 'A value is not valid for its parameter',
  '22P05': 'A text value contains a character that cannot be stored',
};

const GENERIC_REASON = 'A value is not valid for its field';

const UNDEFINED_OPERATOR = '42883';
const UNDEFINED_OPERATOR_REASON = 'A field cannot be grouped, sorted or compared this way (for example a JSON field)';

// Directus turns these into its own, more precise 400s (field named) when they come from a create or update.
const TRANSLATED_ON_WRITE = new Set(['22001', '22003']);
const WRITE_METHODS = new Set(['insert', 'update', 'upsert']);

/**
 * The client error a database error stands for, or null when it is not a data exception (or when Directus
 * already translates it). `method` is knex's query method: writes are payload errors, everything else a query's.
 */
export function dataExceptionOf(sqlState: unknown, method?: string): DataException | null {
  const write = method !== undefined && WRITE_METHODS.has(method);
  // 42883 on a read: the query groups, sorts or compares a field whose type has no such operator (groupBy on a
  // JSON field: "could not identify an ordering operator for type json"). The field is the caller's choice.
  if (sqlState === UNDEFINED_OPERATOR && !write) return { part: 'query', reason: UNDEFINED_OPERATOR_REASON };
  if (typeof sqlState !== 'string' || !/^22[0-9A-Z]{3}$/.test(sqlState)) return null;
  if (write && TRANSLATED_ON_WRITE.has(sqlState)) return null;
  return { part: write ? 'payload' : 'query', reason: REASONS[sqlState] ?? GENERIC_REASON };
}

/** A NUL byte in a URL (raw or percent-encoded): no column can hold it, so refuse it before any work. */
export function urlHasNulByte(url: string): boolean {
  return url.includes('\u0000') || /%00/i.test(url);
}
