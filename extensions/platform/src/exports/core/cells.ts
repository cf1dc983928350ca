// Rows as spreadsheet cells: nested relational objects become dotted columns (organization.name), and text a
// spreadsheet would run as a formula is neutralised (OWASP CSV injection: a leading single quote). CSV text is written
// here a batch at a time (csvRecords), byte for byte what csv-stringify's defaults write for the same cells, without
// its per-row stream and casting machinery (the export's profile, docs/benchmarks.md "Export").

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

/**
 * The columns of an export: the dotted paths of its first page (wildcards expand to what the rows hold), completed by
 * the requested fields. A relation that is null in one row is a leaf there and an object in the next, so its own
 * column (JSON where it was an object) would stand beside its fields' columns: a path that prefixes another column
 * gives way to those columns, in its place. A requested field the first page never shows (a relation null in every
 * row of it) still gets its column. With no rows, the requested fields without wildcards.
 */
export function exportColumns(firstPage: Row[], fields: string[]): string[] {
  const columns = columnsOf(firstPage);
  for (const field of fields) if (!field.includes('*') && !columns.includes(field)) columns.push(field);
  const isPrefix = (path: string) => columns.some((other) => other.startsWith(`${path}.`));
  const placed = new Set<string>();
  for (const column of columns) {
    const group = isPrefix(column)
      ? columns.filter((other) => other.startsWith(`${column}.`) && !isPrefix(other))
      : [column];
    for (const path of group) placed.add(path);
  }
  return [...placed];
}

/** The value at a path of keys; undefined where the path crosses a null relation. */
function valueAtKeys(row: Row, keys: string[]): unknown {
  let current: unknown = row;
  for (const key of keys) {
    if (!isNested(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The value at a dotted path; undefined where the path crosses a null relation. */
export function valueAt(row: Row, path: string): unknown {
  return valueAtKeys(row, path.split('.'));
}

/** One row as the cells of the given columns. */
export function rowCells(row: Row, columns: string[]): string[] {
  return columns.map((column) => cellText(valueAt(row, column)));
}

const NEEDS_QUOTES = /[",\n\r]/;

/**
 * One cell as CSV text, as csv-stringify writes a string with its defaults (delimiter `,`, quote and escape `"`):
 * quoted, its quotes doubled, when it holds a delimiter, a quote, a newline or a carriage return.
 */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The header line of a CSV with these columns (each ends with `\n`, csv-stringify's `eof`). */
export function csvHeader(columns: string[]): string {
  return `${columns.map(csvField).join(',')}\n`;
}

/** The CSV lines of rows (the cells of rowCells), one string for the whole batch. */
export function csvRecords(rows: Row[], columns: string[]): string {
  const paths = columns.map((column) => column.split('.'));
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < paths.length; i++) {
      if (i > 0) text += ',';
      text += csvField(cellText(valueAtKeys(row, paths[i]!)));
    }
    text += '\n';
  }
  return text;
}
