import { stringify } from 'csv-stringify/sync';

// A cell a spreadsheet would run as a formula (OWASP's CSV injection: = + - @, TAB, CR), or one
// that starts with the single quote that neutralises the others (so that it reads back as itself).
const NEEDS_QUOTE_PREFIX = /^[=+\-@\t\r']/;

/**
 * A cell as the CSV files of the CLI write it: prefixed with a single quote when a spreadsheet
 * would take it for a formula, as OWASP recommends (`=1+1` is written `'=1+1`), or when it starts
 * with a single quote already (`'x` is written `''x`, so that {@link readCell} gives it back).
 */
export function spreadsheetCell(text: string): string {
  return NEEDS_QUOTE_PREFIX.test(text) ? `'${text}` : text;
}

/** A cell of a file the CLI reads, as {@link spreadsheetCell} wrote it: without its neutralising single quote. */
export function readCell(text: string): string {
  return text.startsWith("'") ? text.slice(1) : text;
}

/**
 * Rows as CSV that a spreadsheet opens safely and `usagebudget apply` reads back: a header, then
 * a line a row (LF), RFC 4180 quoting; every cell through {@link spreadsheetCell}; a neutralised
 * cell quoted as well (OWASP), and so is any with a CR or LF, which a reader could otherwise take
 * for the end of the row.
 */
export function spreadsheetCsv<Column extends string>(
  columns: readonly Column[],
  rows: Iterable<{ readonly [Name in Column]?: string | number | null }>,
): string {
  const records: string[][] = [[...columns]];
  for (const row of rows) records.push(columns.map((column) => spreadsheetCell(String(row[column] ?? ''))));
  return stringify(records, {
    record_delimiter: 'unix',
    quoted_match: [/^'/, /[\r\n]/],
  });
}
