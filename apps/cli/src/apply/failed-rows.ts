import { closeSync, rmSync, writeSync } from 'node:fs';
import { FAILED_ROW_COLUMNS, spreadsheetCsv } from '../budget-csv.js';
import { openForWriting } from './regular-files.js';

/** A row that was not applied: failed, or invalid and skipped. */
export interface RowNotApplied {
  readonly customerId: string;
  readonly budget: string;
  readonly line: number | null;
  readonly error: string;
}

/**
 * The rows not applied, by line, as a CSV `apply` reads ({@link FAILED_ROW_COLUMNS}), safe to
 * open in a spreadsheet: the reasons hold the service's text. No file when every row was applied.
 */
export function writeRowsNotApplied(path: string, rows: readonly RowNotApplied[]): void {
  if (rows.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  const sorted = [...rows].sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
  const fd = openForWriting(path, 'replace');
  try {
    writeSync(fd, spreadsheetCsv(FAILED_ROW_COLUMNS, sorted));
  } finally {
    closeSync(fd);
  }
}
