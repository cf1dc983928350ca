// An XLSX workbook to records (issue 11 item 1): the first sheet, or one named, read by exceljs's streaming reader.
// A workbook is a zip, so a small upload can unpack to gigabytes (a "zip bomb"): before any XML is read, the zip's
// central directory must declare at most MAX_UNPACKED_BYTES in all and no entry packed tighter than MAX_RATIO (real
// sheets pack about 5-30x); the row and column limits then stop the reading as soon as they are passed. Cells
// become the strings a CSV of the sheet would hold, so both formats pass the same checks: formulas give their stored
// result (never evaluated), rich text its text, a date at midnight YYYY-MM-DD and any other date an ISO timestamp.
// exceljs 4.4.0's streaming reader can lose the zip's last entries: unzipper 0.10's Parse emits 'end' as soon as its
// input is written, while entries it already pushed may still wait unread, and exceljs then stops. Seen as a missing
// workbook part (a TypeError on `sheets`) or missing shared strings (cells `{ sharedString: n }`, which would read as
// empty text), mostly in workbooks of many small sheets. Both are detected, never imported: the workbook is read
// again, fed in small chunks a turn of the event loop apart (the reader keeps pace), up to READ_ATTEMPTS times.
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { checkColumns, type ParseLimits, type Parsed } from './parse.js';

export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
export const MAX_RATIO = 200;
/** Entries smaller than this may pack as tight as they like (a sheet of one repeated value is tiny anyway). */
const RATIO_FLOOR_BYTES = 1024 * 1024;

const EOCD = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;

/** The zip's entries as its central directory declares them, or a reason to refuse the file. */
export function zipEntries(
  bytes: Uint8Array,
): { ok: true; entries: Array<{ name: string; packed: number; unpacked: number }> } | { ok: false; reason: string } {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notZip = { ok: false as const, reason: 'The file is not an XLSX workbook (no zip directory).' };
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535.
  let end = -1;
  for (let at = view.length - 22; at >= Math.max(0, view.length - 22 - 65535); at--) {
    if (view.readUInt32LE(at) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) return notZip;
  const count = view.readUInt16LE(end + 10);
  let at = view.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) return { ok: false, reason: 'ZIP64 workbooks are not accepted.' };
  const entries: Array<{ name: string; packed: number; unpacked: number }> = [];
  for (let index = 0; index < count; index++) {
    if (at + 46 > view.length || view.readUInt32LE(at) !== CENTRAL_ENTRY) return notZip;
    const packed = view.readUInt32LE(at + 20);
    const unpacked = view.readUInt32LE(at + 24);
    const nameLength = view.readUInt16LE(at + 28);
    const skip = nameLength + view.readUInt16LE(at + 30) + view.readUInt16LE(at + 32);
    if (packed === 0xffffffff || unpacked === 0xffffffff)
      return { ok: false, reason: 'ZIP64 workbooks are not accepted.' };
    entries.push({ name: view.toString('utf8', at + 46, at + 46 + nameLength), packed, unpacked });
    at += 46 + skip;
  }
  return { ok: true, entries };
}

/** Why the workbook must not be unpacked, or null. */
export function bombReason(entries: Array<{ name: string; packed: number; unpacked: number }>): string | null {
  let total = 0;
  for (const entry of entries) {
    total += entry.unpacked;
    if (entry.unpacked > RATIO_FLOOR_BYTES && entry.unpacked > entry.packed * MAX_RATIO)
      return `The workbook's part ${entry.name} unpacks ${Math.round(entry.unpacked / Math.max(1, entry.packed))} times its size; at most ${MAX_RATIO} is accepted.`;
  }
  if (total > MAX_UNPACKED_BYTES)
    return `The workbook unpacks to ${Math.round(total / 1048576)} MiB; at most ${MAX_UNPACKED_BYTES / 1048576} MiB is accepted.`;
  return null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A cell as the text a CSV export of the sheet would hold. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const midnight =
      value.getUTCHours() === 0 &&
      value.getUTCMinutes() === 0 &&
      value.getUTCSeconds() === 0 &&
      value.getUTCMilliseconds() === 0;
    return midnight
      ? `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`
      : value.toISOString();
  }
  if (typeof value === 'object') {
    const cell = value as Record<string, unknown>;
    if ('result' in cell || 'formula' in cell || 'sharedFormula' in cell) return cellText(cell.result);
    if (Array.isArray(cell.richText))
      return (cell.richText as Array<{ text?: unknown }>).map((part) => String(part.text ?? '')).join('');
    if ('text' in cell) return cellText(cell.text);
    if ('error' in cell) return String(cell.error);
    return '';
  }
  return String(value);
}

const READ_ATTEMPTS = 4;
const SLOW_CHUNK_BYTES = 1024;
/** The reader lost part of the zip (see the top of this file): read again. */
const LOST = Symbol('lost');

/** The sheet's rows as records keyed by the header row (the first row with a value). */
export async function parseWorkbook(bytes: Uint8Array, limits: ParseLimits, sheetName?: string): Promise<Parsed> {
  if (bytes.length === 0) return { ok: false, reason: 'The file is empty.' };
  const directory = zipEntries(bytes);
  if (!directory.ok) return directory;
  const bomb = bombReason(directory.entries);
  if (bomb) return { ok: false, reason: bomb };
  const declaredSheets = directory.entries.filter((entry) => /^xl\/worksheets\/sheet\d+\.xml$/.test(entry.name)).length;
  // A view of the upload, not a copy (each attempt reads the same bytes).
  const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt += 1) {
    const input =
      attempt === 1
        ? Readable.from([whole])
        : Readable.from(
            (async function* () {
              for (let at = 0; at < whole.length; at += SLOW_CHUNK_BYTES) {
                await new Promise((resolve) => setImmediate(resolve));
                yield whole.subarray(at, at + SLOW_CHUNK_BYTES);
              }
            })(),
          );
    const read = await readWorkbook(input, limits, sheetName, declaredSheets);
    if (read !== LOST) return read;
  }
  return {
    ok: false,
    reason:
      'The workbook could not be read whole (parts of it were lost while unpacking); save it again, or send it as CSV.',
  };
}

async function readWorkbook(
  input: Readable,
  limits: ParseLimits,
  sheetName: string | undefined,
  declaredSheets: number,
): Promise<Parsed | typeof LOST> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const names: string[] = [];
  let columns: string[] | null = null;
  const rows: Array<Record<string, unknown>> = [];
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name: string }).name;
      names.push(name);
      if (columns !== null || (sheetName !== undefined && name !== sheetName)) {
        // Read to its end, never left: exceljs removes a deferred sheet's temp file once the next sheet is asked
        // for, and a sheet left unread still had its file opening, an unhandled ENOENT that ended the process.
        // Another sheet may hold as many rows as the one read (a header and maxRows), no more: they cost the same.
        let skipped = 0;
        for await (const _row of sheet as unknown as AsyncIterable<unknown>) {
          skipped += 1;
          if (skipped > limits.maxRows + 1)
            return {
              ok: false,
              reason: `The sheet "${name}" has more than ${limits.maxRows} rows; at most that many are accepted in any sheet.`,
            };
        }
        continue;
      }
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        // row.values is sparse and 1-based: Array.from turns its holes (empty cells) into ''.
        const cells = (row.values as unknown[]).slice(1);
        if (cells.some((cell) => cell !== null && typeof cell === 'object' && 'sharedString' in cell)) return LOST;
        const values = Array.from(cells, cellText);
        if (values.every((text) => text === '')) continue;
        if (columns === null) {
          if (values.length > limits.maxColumns)
            return {
              ok: false,
              reason: `The sheet has ${values.length} columns; at most ${limits.maxColumns} are accepted.`,
            };
          columns = values.map((text) => text.trim());
          const problem = checkColumns(columns, limits);
          if (problem) return { ok: false, reason: problem };
          continue;
        }
        if (values.slice(columns.length).some((text) => text !== ''))
          return { ok: false, reason: `Row ${rows.length + 1} has a value beyond the header's last column.` };
        if (rows.length >= limits.maxRows)
          return {
            ok: false,
            reason: `The sheet has more than ${limits.maxRows} rows; at most that many are accepted.`,
          };
        const header = columns;
        rows.push(Object.fromEntries(header.map((column, index) => [column, values[index] ?? ''])));
      }
      if (columns === null) return { ok: false, reason: `The sheet "${name}" is empty.` };
    }
  } catch (error) {
    // The workbook part lost (exceljs reads its sheet list to name a sheet).
    if (error instanceof TypeError && /reading 'sheets'/.test(error.message)) return LOST;
    return { ok: false, reason: `The workbook cannot be read: ${(error as Error).message}` };
  }
  // A sheet the zip declares but the reader never handed out was lost, not missing.
  if (columns === null && names.length < declaredSheets) return LOST;
  if (columns === null)
    return sheetName !== undefined
      ? { ok: false, reason: `The workbook has no sheet named "${sheetName}"; it has: ${names.join(', ')}.` }
      : { ok: false, reason: 'The workbook has no sheet.' };
  if (rows.length === 0) return { ok: false, reason: 'The sheet has a header but no data rows.' };
  return { ok: true, table: { columns, rows } };
}
