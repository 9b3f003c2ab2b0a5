import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isGuid } from '@usagebudget/client';
import { parse } from 'csv-parse';
import { amountProblem } from './amount.js';

/** The columns `apply` reads from a file; `report --csv` writes them (and more, which are ignored). */
export const APPLY_COLUMNS = { customer: 'customerId', budget: 'budget' } as const;

/** A row of the file as `apply` uses it: the customer, and its new budget (`null`: clear it). */
export interface ApplyRow {
  /** The line the row starts on (1 is the header). */
  readonly line: number;
  /** In lower case. */
  readonly customerId: string;
  /** The amount as written (trimmed), or `null` when the cell is empty. */
  readonly amount: string | null;
}

/** A row that cannot be applied, and why. */
export interface RowProblem {
  readonly line: number;
  readonly reason: string;
}

/** What the first pass over the file found. */
export interface InputCheck {
  /** Rows with a customer and an amount that can be sent. */
  readonly validRows: number;
  readonly problems: readonly RowProblem[];
  /** The line of each valid customer (lower case): the one thing kept per row. */
  readonly customers: ReadonlyMap<string, number>;
  /** Customers named on more than one row: none of their rows is applied. */
  readonly duplicated: ReadonlySet<string>;
  /** SHA-256 of the file's bytes: a journal belongs to one version of the file. */
  readonly sha256: string;
}

/** A file that cannot be read as CSV at all (malformed quoting, no `customerId` column): nothing is applied. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

interface ParsedRecord {
  line: number;
  fields: Record<string, string | undefined>;
}

/**
 * The file's records with the line each starts on, streamed: as spreadsheets export CSV (RFC 4180
 * quoting, commas and line breaks inside quotes, a BOM, CRLF or LF), read by csv-parse.
 */
async function* records(path: string, onBytes?: (chunk: Buffer) => void): AsyncGenerator<ParsedRecord> {
  const input = createReadStream(path);
  if (onBytes) input.on('data', (chunk) => onBytes(chunk as Buffer));
  const parser = input.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => {
        const names = header.map((name) => name.trim());
        for (const column of Object.values(APPLY_COLUMNS)) {
          if (!names.includes(column)) {
            throw new InputError(
              `the header has no ${column} column (it needs ${Object.values(APPLY_COLUMNS).join(' and ')})`,
              1,
            );
          }
        }
        return names;
      },
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
    }),
  );
  input.on('error', (error) => parser.destroy(error));
  let lastLine = 1;
  let lastEmpty = 0;
  // csv-parse counts a CRLF inside a quoted field as two lines; the lines reported are the file's.
  let overcounted = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string | undefined>;
      info: { lines: number; empty_lines: number };
    }>) {
      const line = lastLine + 1 + (info.empty_lines - lastEmpty);
      for (const value of Object.values(record)) overcounted += (value ?? '').split('\r\n').length - 1;
      lastLine = info.lines - overcounted;
      lastEmpty = info.empty_lines;
      yield { line, fields: record };
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const { code, lines } = error as { code?: string; lines?: number };
    if (code?.startsWith('CSV_')) throw new InputError(`not valid CSV: ${(error as Error).message}`, lines);
    throw error;
  } finally {
    input.destroy();
  }
}

/** The row's customer and amount, or what is wrong with it. */
function readRow({ line, fields }: ParsedRecord): ApplyRow | RowProblem {
  const id = fields[APPLY_COLUMNS.customer]?.trim() ?? '';
  const budget = fields[APPLY_COLUMNS.budget];
  if (!isGuid(id)) {
    return { line, reason: id === '' ? 'no customerId' : `customerId ${JSON.stringify(id)} is not a GUID` };
  }
  if (budget === undefined) return { line, reason: 'the row has no budget field (fewer fields than the header)' };
  const text = budget.trim();
  if (text === '') return { line, customerId: id.toLowerCase(), amount: null };
  const problem = amountProblem(text);
  if (problem !== undefined) return { line, reason: `budget ${JSON.stringify(budget)}: ${problem}` };
  return { line, customerId: id.toLowerCase(), amount: text };
}

const isProblem = (row: ApplyRow | RowProblem): row is RowProblem => 'reason' in row;

/**
 * The first pass: every row checked, every problem kept with its line; of the valid rows only the
 * customer (and its line, to name it in a duplicate's reason) is kept, so a file of any length
 * costs the memory of its customer ids.
 */
export async function checkInput(path: string): Promise<InputCheck> {
  const hash = createHash('sha256');
  const problems: RowProblem[] = [];
  const customers = new Map<string, number>();
  const duplicated = new Set<string>();
  let validRows = 0;
  for await (const record of records(path, (chunk) => hash.update(chunk))) {
    const row = readRow(record);
    if (isProblem(row)) {
      problems.push(row);
      continue;
    }
    const first = customers.get(row.customerId);
    if (first !== undefined) {
      duplicated.add(row.customerId);
      problems.push({ line: row.line, reason: `customer ${row.customerId} is also on line ${first}` });
      continue;
    }
    customers.set(row.customerId, row.line);
    validRows++;
  }
  // A duplicated customer's first row is not applied either: which amount is meant is unknown.
  for (const customerId of duplicated) {
    problems.push({
      line: customers.get(customerId) as number,
      reason: `customer ${customerId} is on more than one line`,
    });
    customers.delete(customerId);
    validRows--;
  }
  problems.sort((a, b) => a.line - b.line);
  return { validRows, problems, customers, duplicated, sha256: hash.digest('hex') };
}

/** The second pass: the rows to apply, streamed in file order (invalid and duplicated rows left out). */
export async function* validRows(path: string, check: InputCheck): AsyncGenerator<ApplyRow> {
  for await (const record of records(path)) {
    const row = readRow(record);
    if (isProblem(row) || check.customers.get(row.customerId) !== row.line) continue;
    yield row;
  }
}
