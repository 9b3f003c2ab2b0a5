import { isGuid } from '@usagebudget/client';
import { parse } from 'csv-parse';
import { amountProblem } from '../amount.js';
import { APPLY_COLUMNS, APPLY_HEADER, readCell } from '../budget-csv.js';
import { quotedInput } from '../quoted-input.js';
import { InputError, type Snapshot } from './snapshot.js';

export { InputError } from './snapshot.js';

/** The longest row `apply` reads: a row of `report --csv` is a few hundred bytes. */
export const MAX_ROW_CHARACTERS = 1024 * 1024;

/** A row of the file as `apply` uses it: the customer, and its new budget (`null`: clear it). */
export interface ApplyRow {
  /** The line the row starts on (1 is the header). */
  readonly line: number;
  /** In lower case. */
  readonly customerId: string;
  /** The amount as written (trimmed), or `null` when the cell is empty. */
  readonly amount: string | null;
}

/** A row that cannot be applied, why, and what its customer and budget cells held (cut short when long). */
export interface RowProblem {
  readonly line: number;
  readonly reason: string;
  readonly customerId: string;
  readonly budget: string;
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

/** Where the two columns `apply` reads are, and how many fields every row has. */
interface Header {
  readonly width: number;
  readonly customer: number;
  readonly budget: number;
}

interface CsvRecord {
  line: number;
  fields: readonly string[];
}

// What csv-parse's errors mean, said for people who exported the file from a spreadsheet (its own
// messages repeat the field, which may be anything).
const CSV_ERRORS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE:
    'a quoted field goes on after its closing quote (a quote inside a quoted field is written twice: "")',
  INVALID_OPENING_QUOTE:
    'a quote in the middle of a field that does not start with one (quote the whole field, and write its quotes twice)',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted field goes on after its closing quote',
  CSV_MAX_RECORD_SIZE: 'a row longer than 1 MiB: not a file of budgets',
};

/** The header's problem, if any: a column `apply` reads missing, or a column named twice. */
function readHeader(fields: readonly string[]): Header {
  const names = fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  for (const [index, name] of names.entries()) {
    if (name === '') continue;
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InputError(
        `the header names the column ${quotedInput(name)} twice (columns ${first + 1} and ${index + 1}): which one is meant is unknown`,
        1,
      );
    }
    seen.set(key, index);
  }
  const position = (column: string) => {
    const index = names.indexOf(column);
    if (index === -1) {
      throw new InputError(
        `the header has no ${column} column (it needs ${Object.values(APPLY_COLUMNS).join(' and ')})`,
        1,
      );
    }
    return index;
  };
  return { width: names.length, customer: position(APPLY_COLUMNS.customer), budget: position(APPLY_COLUMNS.budget) };
}

/**
 * The snapshot's header and records with the line each starts on, streamed: as spreadsheets
 * export CSV (RFC 4180 quoting, commas and line breaks inside quotes, a BOM, CRLF or LF), read by
 * csv-parse. Rows whose every field is empty (a spreadsheet's trailing rows) are left out.
 */
async function* csvRecords(snapshot: Snapshot): AsyncGenerator<Header | CsvRecord> {
  const input = snapshot.read();
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      // Counted by apply itself, to say which row is off.
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      max_record_size: MAX_ROW_CHARACTERS,
      record_delimiter: ['\r\n', '\n'],
    }),
  );
  input.on('error', (error) => parser.destroy(error));
  let lastLine = 0;
  let lastEmpty = 0;
  // csv-parse counts a CRLF inside a quoted field as two lines; the lines reported are the file's.
  let overcounted = 0;
  let header: Header | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number; empty_lines: number };
    }>) {
      const line = lastLine + 1 + (info.empty_lines - lastEmpty);
      for (const value of record) overcounted += value.split('\r\n').length - 1;
      lastLine = info.lines - overcounted;
      lastEmpty = info.empty_lines;
      if (header) {
        yield { line, fields: record };
      } else {
        if (line !== 1) throw new InputError(`the first line must be the header (${APPLY_HEADER})`, 1);
        header = readHeader(record);
        yield header;
      }
    }
    if (!header) throw new InputError(`the file is empty: it needs a header line (${APPLY_HEADER})`, 1);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const { code, lines } = error as { code?: string; lines?: number };
    if (code !== undefined && (code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE')) {
      const meaning = CSV_ERRORS[code];
      const where = typeof lines === 'number' ? Math.max(1, lines - overcounted) : undefined;
      throw new InputError(meaning ?? `not valid CSV (${code})`, where);
    }
    throw error;
  } finally {
    input.destroy();
  }
}

const isHeader = (value: Header | CsvRecord): value is Header => 'width' in value;

/** At most this many characters of a cell are kept for a row that is not applied (it goes to the failed rows). */
const KEPT_CELL = 200;
const kept = (text: string) => (text.length > KEPT_CELL ? `${text.slice(0, KEPT_CELL)}…` : text);

/** The row's customer and amount, or what is wrong with it. */
function readRow(header: Header, { line, fields }: CsvRecord): ApplyRow | RowProblem {
  const id = readCell(fields[header.customer] ?? '').trim();
  const budget = readCell(fields[header.budget] ?? '');
  const problem = (reason: string): RowProblem => ({ line, reason, customerId: kept(id), budget: kept(budget) });
  if (fields.length !== header.width) {
    const more =
      fields.length > header.width
        ? ': a comma outside quotes? A name such as "Fabrikam, Inc." must be quoted, and an amount written without a thousands separator (1250.50, not 1,250.50)'
        : '';
    // Which cell holds the budget is unknown: the failed rows get the whole row, which no run applies.
    return {
      line,
      reason: `${fields.length} fields where the header has ${header.width}${more}`,
      customerId: kept(id),
      budget: kept(fields.join(',')),
    };
  }
  if (!isGuid(id)) return problem(id === '' ? 'no customerId' : `customerId ${quotedInput(id)} is not a GUID`);
  const text = budget.trim();
  if (text === '') return { line, customerId: id.toLowerCase(), amount: null };
  const wrong = amountProblem(text);
  if (wrong !== undefined) return problem(`budget ${quotedInput(budget)}: ${wrong}`);
  return { line, customerId: id.toLowerCase(), amount: text };
}

const isProblem = (row: ApplyRow | RowProblem): row is RowProblem => 'reason' in row;

/** The snapshot's rows, each as a row to apply or a problem, in file order. */
async function* rows(snapshot: Snapshot): AsyncGenerator<ApplyRow | RowProblem> {
  let header: Header | undefined;
  for await (const item of csvRecords(snapshot)) {
    if (isHeader(item)) header = item;
    else if (header) yield readRow(header, item);
  }
}

/**
 * The first pass: every row checked, every problem kept with its line; of the valid rows only the
 * customer (and its line, to name it in a duplicate's reason) is kept, so a file of any length
 * costs the memory of its customer ids.
 */
export async function checkInput(snapshot: Snapshot): Promise<InputCheck> {
  const problems: RowProblem[] = [];
  const customers = new Map<string, number>();
  const duplicated = new Map<string, RowProblem | undefined>();
  let validRows = 0;
  const firstRows = new Map<string, ApplyRow>();
  for await (const row of rows(snapshot)) {
    if (isProblem(row)) {
      problems.push(row);
      continue;
    }
    const first = customers.get(row.customerId);
    if (first !== undefined) {
      duplicated.set(row.customerId, undefined);
      problems.push({
        line: row.line,
        reason: `customer ${row.customerId} is also on line ${first}`,
        customerId: row.customerId,
        budget: row.amount ?? '',
      });
      continue;
    }
    customers.set(row.customerId, row.line);
    validRows++;
  }
  // A duplicated customer's first row is not applied either: which amount is meant is unknown.
  if (duplicated.size > 0) {
    for await (const row of rows(snapshot)) {
      if (!isProblem(row) && duplicated.has(row.customerId) && customers.get(row.customerId) === row.line) {
        firstRows.set(row.customerId, row);
      }
    }
  }
  for (const customerId of duplicated.keys()) {
    const row = firstRows.get(customerId);
    problems.push({
      line: customers.get(customerId) as number,
      reason: `customer ${customerId} is on more than one line`,
      customerId,
      budget: row?.amount ?? '',
    });
    customers.delete(customerId);
    validRows--;
  }
  problems.sort((a, b) => a.line - b.line);
  return { validRows, problems, customers, duplicated: new Set(duplicated.keys()), sha256: snapshot.sha256 };
}

/** The second pass: the rows to apply, streamed in file order (invalid and duplicated rows left out). */
export async function* validRows(snapshot: Snapshot, check: InputCheck): AsyncGenerator<ApplyRow> {
  for await (const row of rows(snapshot)) {
    if (isProblem(row) || check.customers.get(row.customerId) !== row.line) continue;
    yield row;
  }
}
