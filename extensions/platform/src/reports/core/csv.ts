// A report's rows as a table for a spreadsheet (CSV and XLSX). A cell a spreadsheet would read as a formula (=, +, -,
// @, tab, CR) is prefixed with a single quote: names and values come from data people typed (OWASP "CSV injection").
// Numbers are left as numbers.
import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula as neutralise } from '../../shared/spreadsheet.js';
import type { ReportRow } from './compute.js';

export interface ReportTable {
  header: string[];
  records: Array<Array<string | number | null>>;
}

export function reportTable(rows: ReportRow[]): ReportTable {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const records = rows.map((row) =>
    columns.map((column) => {
      const value = row[column];
      if (value === null || value === undefined) return null;
      return typeof value === 'number' ? value : neutralise(value);
    }),
  );
  return { header: columns.map(neutralise), records };
}

export function reportCsv(rows: ReportRow[]): string {
  const { header, records } = reportTable(rows);
  return stringify([header, ...records.map((record) => record.map((cell) => (cell === null ? '' : String(cell))))]);
}
