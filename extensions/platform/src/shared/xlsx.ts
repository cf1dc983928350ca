// The one XLSX writer (exports and reports): exceljs's streaming writer zips each committed row into the output; the
// caller's rows come in batches and we wait for the output to drain after each, so a slow client slows the reads
// instead of filling memory. Shared strings and styles are off: both would be held in memory until the end.
// Cells arrive already made safe for a spreadsheet (shared/spreadsheet.ts).
import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';

export type XlsxCell = string | number | null;

export async function writeXlsx(
  out: Writable,
  sheetName: string,
  header: string[],
  batches: AsyncIterable<XlsxCell[][]> | Iterable<XlsxCell[][]>,
): Promise<void> {
  const zipped = new PassThrough();
  const sent = pipeline(zipped, out);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: zipped,
    useSharedStrings: false,
    useStyles: false,
  });
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(header).commit();
  try {
    for await (const rows of batches) {
      for (const row of rows) sheet.addRow(row).commit();
      if (zipped.writableNeedDrain) await Promise.race([once(zipped, 'drain'), once(zipped, 'close')]);
      if (zipped.destroyed) break;
    }
    sheet.commit();
    await workbook.commit();
  } catch (error) {
    zipped.destroy(error as Error);
  }
  await sent;
}
