// Rows as spreadsheet cells: nested relational objects become dotted columns (organization.name), and text a
// spreadsheet would run as a formula is neutralised (OWASP CSV injection: a leading single quote).

import { neutraliseFormula } from '../../shared/spreadsheet.js';

export { neutraliseFormula };

type Row = Record<string, unknown>;

/** A value as cell text: empty for null, JSON for lists and objects, ISO for dates; neutralised. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return neutraliseFormula(JSON.stringify(value));
  return neutraliseFormula(String(value));
}

const isNested = (value: unknown): value is Row =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** The dotted column paths of rows, in order of first appearance: a nested object is walked, anything else is a leaf. */
export function columnsOf(rows: Row[]): string[] {
  const columns = new Set<string>();
  const walk = (value: Row, prefix: string) => {
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (isNested(inner) && Object.keys(inner).length > 0) walk(inner, path);
      else columns.add(path);
    }
  };
  for (const row of rows) walk(row, '');
  return [...columns];
}

/** The value at a dotted path; undefined where the path crosses a null relation. */
export function valueAt(row: Row, path: string): unknown {
  let current: unknown = row;
  for (const key of path.split('.')) {
    if (!isNested(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** One row as the cells of the given columns. */
export function rowCells(row: Row, columns: string[]): string[] {
  return columns.map((column) => cellText(valueAt(row, column)));
}
