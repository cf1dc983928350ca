// The import's report: counts and every row error, as JSON or as CSV (row,field,code,message).
import { neutraliseFormula } from '../../shared/spreadsheet.js';
import type { RowError } from './plan.js';

export interface ImportReport {
  collection: string;
  mode: string;
  dry_run: boolean;
  /** True only when the rows were written (a real run without a single row error). */
  written: boolean;
  /** The first run's report, answered again for the same file or Idempotency-Key. */
  replayed: boolean;
  checksum: string;
  /** With vocabularies: the names create_missing created (or, dry or rejected, would have created). */
  vocabularies?: Array<{ field: string; collection: string; created: number; names: string[] }>;
  counts: { rows: number; insert: number; update: number; skip: number; errors: number };
  errors: RowError[];
}

/** Errors in row order (then field), so a reader fixes the file top to bottom. */
export function sortErrors(errors: RowError[]): RowError[] {
  return [...errors].sort((a, b) => a.row - b.row || (a.field ?? '').localeCompare(b.field ?? ''));
}

// A cell a spreadsheet would run as a formula is prefixed with a quote (OWASP CSV injection): messages quote cells.
function cell(value: string | number | null): string {
  const text = neutraliseFormula(value === null ? '' : String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function reportCsv(report: ImportReport): string {
  const lines = ['row,field,code,message'];
  for (const error of report.errors)
    lines.push([error.row, error.field, error.code, error.message].map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
