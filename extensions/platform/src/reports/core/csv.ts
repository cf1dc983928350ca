// CSV of a report's rows. A cell a spreadsheet would read as a formula (=, +, -, @, tab, CR) is prefixed with a single
// quote: names and values come from data people typed (OWASP "CSV injection"). Numbers are left as numbers.
import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula as neutralise } from '../../shared/spreadsheet.js';
import type { ReportRow } from './compute.js';

export function reportCsv(rows: ReportRow[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const records = rows.map((row) =>
    columns.map((column) => {
      const value = row[column];
      if (value === null || value === undefined) return '';
      return typeof value === 'number' ? String(value) : neutralise(value);
    }),
  );
  return stringify([columns.map(neutralise), ...records]);
}
