import { journalPath } from './journal.js';

/** The files of a run, named after its input: the journal, the rows not applied, the lock. */
export interface RunFiles {
  readonly journal: string;
  readonly failedRows: string;
  readonly lock: string;
}

/** Where the rows that were not applied are written, next to the input, as a file `apply` reads. */
export function failedRowsPath(inputPath: string): string {
  return inputPath.replace(/(\.csv)?$/i, '.failed.csv');
}

/** The files of the run of `input`; its lock next to `lockTarget` (the file itself, whatever path names it). */
export function runFiles(input: string, lockTarget = input): RunFiles {
  return { journal: journalPath(input), failedRows: failedRowsPath(input), lock: `${lockTarget}.lock` };
}

/**
 * Standard input has no file to put the journal next to: its files are named after what was read
 * (`stdin-<16 hex digits of its SHA-256>.csv`), in the current folder, so that the same input
 * piped again continues its run.
 */
export const standardInputName = (sha256: string) => `stdin-${sha256.slice(0, 16)}.csv`;
