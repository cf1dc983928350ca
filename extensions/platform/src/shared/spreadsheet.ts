// One rule for every spreadsheet-bound file we write (exports, report CSVs, import reports): text a spreadsheet
// would run as a formula (=, +, -, @, tab, CR: Excel, LibreOffice, Google Sheets) gets a leading single quote, so it
// is shown as text (OWASP "CSV injection"). Pure.
const FORMULA_START = /^[=+\-@\t\r]/;

/** The text a spreadsheet shows as text: a leading ', when it would otherwise be run as a formula. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
