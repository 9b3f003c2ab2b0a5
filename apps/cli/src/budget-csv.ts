// The one home of the CSV files of budgets: the columns `report --csv` writes, `apply` reads and
// its rows not applied are written in, and how their cells are written and read back (safe to open
// in a spreadsheet).
import { stringify } from 'csv-stringify/sync';
import { formatAmount } from './amount.js';

/** The columns `apply` reads (any others are ignored): the customer, and its budget (empty: none). */
export const APPLY_COLUMNS = { customer: 'customerId', budget: 'budget' } as const;

/** The columns of `report --csv`, worst first: `apply` reads it back. */
export const REPORT_COLUMNS = [
  APPLY_COLUMNS.customer,
  'customerName',
  APPLY_COLUMNS.budget,
  'cost',
  'currency',
  'percentUsed',
] as const;

/** The columns of the rows `apply` did not apply (`<file>.failed.csv`), a file `apply` reads again. */
export const FAILED_ROW_COLUMNS = [APPLY_COLUMNS.customer, APPLY_COLUMNS.budget, 'line', 'error'] as const;

/** The header `apply` expects, as its errors show it: `customerId,budget,…`. */
export const APPLY_HEADER = `${Object.values(APPLY_COLUMNS).join(',')},…`;

/** A budget as its cell: the amount written as `set` reads amounts, empty for no budget. */
export function budgetCell(amount: number | null): string {
  return amount === null ? '' : formatAmount(amount);
}

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
