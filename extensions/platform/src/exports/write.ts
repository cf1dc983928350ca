// Writes an export to the HTTP response in the chosen format, one page at a time, under backpressure: pages are pulled
// through stream.pipeline (CSV, NDJSON, JSON) or written after the response has drained (XLSX, shared/xlsx.ts), so a slow client
// slows the reads instead of filling memory; a client that goes away ends the pipeline, which stops the reads.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeXlsx } from '../shared/xlsx.js';
import { exportColumns, csvHeader, csvRecords, rowCells } from './core/cells.js';
import type { ExportFormat } from './core/contract.js';

type Row = Record<string, unknown>;

async function* allPages(first: Row[], rest: () => AsyncGenerator<Row[]>): AsyncGenerator<Row[]> {
  if (first.length > 0) yield first;
  yield* rest();
}

export async function writeExport(
  format: ExportFormat,
  out: Writable,
  pages: { first: Row[]; rest: () => AsyncGenerator<Row[]>; fields: string[] },
): Promise<void> {
  const source = allPages(pages.first, pages.rest);
  if (format === 'ndjson') {
    return pipeline(
      Readable.from(
        (async function* () {
          for await (const rows of source) yield rows.map((row) => `${JSON.stringify(row)}\n`).join('');
        })(),
      ),
      out,
    );
  }
  if (format === 'json') {
    return pipeline(
      Readable.from(
        (async function* () {
          let separator = '[';
          for await (const rows of source) {
            yield separator + rows.map((row) => JSON.stringify(row)).join(',');
            separator = ',';
          }
          yield separator === '[' ? '[]' : ']';
        })(),
      ),
      out,
    );
  }
  const columns = exportColumns(pages.first, pages.fields);
  if (format === 'csv') {
    // One string per batch (core/cells.ts writes what csv-stringify would): the header even when there is no row.
    // At most one batch's text waits in the stream (highWaterMark 1), so a slow client holds back the reads.
    return pipeline(
      Readable.from(
        (async function* () {
          yield csvHeader(columns);
          for await (const rows of source) yield csvRecords(rows, columns);
        })(),
        { highWaterMark: 1 },
      ),
      out,
    );
  }
  // XLSX: the shared writer (shared/xlsx.ts) waits for the response to drain after each page.
  return writeXlsx(
    out,
    'export',
    columns,
    (async function* () {
      for await (const rows of source) yield rows.map((row) => rowCells(row, columns));
    })(),
  );
}
