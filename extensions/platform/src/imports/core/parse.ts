// Text to records: CSV (csv-parse; delimiter sniffed from the header line unless given), a JSON array of objects,
// or NDJSON (XLSX, which is not text, is read by xlsx.ts into the same Table). Every refusal of the file as a whole is a reason (the route answers 400); limits keep a hostile file
// (100k columns, a million tiny rows) from becoming a huge object graph.
import { parse as parseCsv } from 'csv-parse/sync';

export const FORMATS = ['csv', 'json', 'ndjson', 'xlsx'] as const;
export type Format = (typeof FORMATS)[number];
export type TextFormat = Exclude<Format, 'xlsx'>;

export interface ParseLimits {
  maxColumns: number;
  maxRows: number;
}

export interface Table {
  /** Column names, in file order. */
  columns: string[];
  /** One object per data row, keyed by column; CSV cells are strings, JSON values as given. */
  rows: Array<Record<string, unknown>>;
}

export type Parsed = { ok: true; table: Table; delimiter?: string } | { ok: false; reason: string };

const CANDIDATES = [',', ';', '\t', '|'];

/** The candidate that occurs most often outside quotes in the first line (a comma when none does). */
export function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && CANDIDATES.includes(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  let most = 0;
  for (const candidate of CANDIDATES) {
    const count = counts.get(candidate) ?? 0;
    if (count > most) [best, most] = [candidate, count];
  }
  return best;
}

export function checkColumns(columns: string[], limits: ParseLimits): string | null {
  if (columns.length > limits.maxColumns)
    return `The file has ${columns.length} columns; at most ${limits.maxColumns} are accepted.`;
  const seen = new Set<string>();
  for (const [index, column] of columns.entries()) {
    if (column === '') return `Column ${index + 1} has an empty header.`;
    if (seen.has(column)) return `The header "${column}" appears more than once.`;
    seen.add(column);
  }
  return null;
}

/** Counts the header's cells cheaply before parsing, so 100k columns are refused without building them. */
function headerCellCount(text: string, delimiter: string): number {
  let count = 1;
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char === delimiter) count++;
  }
  return count;
}

function parseDelimited(text: string, limits: ParseLimits, given?: string): Parsed {
  const delimiter = given ?? sniffDelimiter(text);
  if (headerCellCount(text, delimiter) > limits.maxColumns)
    return {
      ok: false,
      reason: `The file has ${headerCellCount(text, delimiter)} columns; at most ${limits.maxColumns} are accepted.`,
    };
  let records: string[][];
  try {
    records = parseCsv(text, {
      delimiter,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as string[][];
  } catch (error) {
    return { ok: false, reason: `The CSV cannot be read: ${(error as Error).message}` };
  }
  const [header, ...data] = records;
  if (!header) return { ok: false, reason: 'The file is empty.' };
  const columns = header.map((cell) => cell.trim());
  const problem = checkColumns(columns, limits);
  if (problem) return { ok: false, reason: problem };
  if (data.length === 0) return { ok: false, reason: 'The file has a header but no data rows.' };
  if (data.length > limits.maxRows)
    return { ok: false, reason: `The file has ${data.length} rows; at most ${limits.maxRows} are accepted.` };
  const rows = data.map((cells) => Object.fromEntries(columns.map((column, index) => [column, cells[index]])));
  return { ok: true, table: { columns, rows }, delimiter };
}

function tableOfObjects(values: unknown[], limits: ParseLimits, where: (index: number) => string): Parsed {
  if (values.length === 0) return { ok: false, reason: 'The file has no records.' };
  if (values.length > limits.maxRows)
    return { ok: false, reason: `The file has ${values.length} rows; at most ${limits.maxRows} are accepted.` };
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const [index, value] of values.entries()) {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return { ok: false, reason: `${where(index)} is not an object.` };
    for (const key of Object.keys(value)) {
      if (seen.has(key)) continue;
      seen.add(key);
      columns.push(key);
      if (columns.length > limits.maxColumns)
        return { ok: false, reason: `The records have more than ${limits.maxColumns} distinct keys.` };
    }
  }
  const problem = checkColumns(columns, limits);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, table: { columns, rows: values as Array<Record<string, unknown>> } };
}

export function parseTable(text: string, format: TextFormat, limits: ParseLimits, delimiter?: string): Parsed {
  if (text.trim() === '') return { ok: false, reason: 'The file is empty.' };
  if (format === 'csv') return parseDelimited(text, limits, delimiter);
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return { ok: false, reason: `The JSON cannot be read: ${(error as Error).message}` };
    }
    if (!Array.isArray(value)) return { ok: false, reason: 'The JSON must be an array of objects.' };
    return tableOfObjects(value, limits, (index) => `Record ${index + 1}`);
  }
  const values: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    if (values.length >= limits.maxRows)
      return { ok: false, reason: `The file has more than ${limits.maxRows} rows; at most that many are accepted.` };
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      return { ok: false, reason: `Line ${index + 1} is not JSON: ${(error as Error).message}` };
    }
  }
  return tableOfObjects(values, limits, (index) => `Record ${index + 1}`);
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * The format named by the caller, else by the file name's extension or the content type, else XLSX when the bytes
 * are a zip; CSV otherwise.
 */
export function formatOf(named: Format | undefined, fileName: string, contentType: string, head?: Uint8Array): Format {
  if (named) return named;
  const name = fileName.toLowerCase();
  if (name.endsWith('.xlsx') || contentType.includes(XLSX_TYPE)) return 'xlsx';
  if (head && ZIP_MAGIC.every((byte, index) => head[index] === byte)) return 'xlsx';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl') || contentType.includes('ndjson')) return 'ndjson';
  if (name.endsWith('.json') || contentType.includes('application/json')) return 'json';
  return 'csv';
}
