import { formatAmount } from '../amount.js';
import { budgetCell, REPORT_COLUMNS, spreadsheetCsv } from '../budget-csv.js';
import { CommandLineError } from '../command-line/error.js';
import { ExitCode } from '../exit-codes.js';
import { type Column, listing, plural, type Style } from '../output.js';
import { jsonLine } from '../terminal-text.js';
import {
  atOrOver,
  paintStanding,
  percentText,
  roundDecimal,
  rowOfRecord,
  rowRecord,
  standing,
  type UsageRow,
  worstFirst,
} from '../usage-figures.js';
import type { Command } from './command.js';

/** How `report` prints: an aligned table, JSON lines (`--json`) or CSV (`--csv`). */
export type ReportFormat = 'table' | 'json' | 'csv';

// A percentage as people write it: 80, 100, 92.5; no sign, no exponent, no % sign.
const PERCENT = /^\d+(?:\.\d+)?$/;

/** `report`: every customer with usage, worst first, optionally only those `--over` a percentage. */
export const reportCommand: Command<'report', { overPercent?: number; format: ReportFormat }> = {
  name: 'report',
  arguments: [],
  options: { over: { type: 'string' }, csv: { type: 'boolean', default: false } },
  help: {
    synopsis: 'usagebudget report [--over PERCENT] [--json | --csv] [options]',
    summary:
      'Lists every customer with usage (from the usage records): budget, cost, currency and percent\n' +
      'used, worst first: over budget (a budget of 0 with any cost first), then trending over it\n' +
      '(80 % or more), then within it, each by the share of the budget used; customers without a\n' +
      'budget last. On a terminal, customers over their budget are red and those at 80 % or more\n' +
      `yellow. --csv writes the columns ${REPORT_COLUMNS.join(',')}\n` +
      '(budget empty when there is none, cost exact), safe to open in a spreadsheet (a cell that\n' +
      'would start a formula gets a leading single quote): a file "usagebudget apply" reads back.\n' +
      'Needs an app+user token.',
    examples: `  usagebudget report
  usagebudget report --over 80
  usagebudget report --csv > budgets.csv`,
    options: `  --over PERCENT          only the customers with a budget who used PERCENT of it or more
                          (80: trending over it, as Partner Center warns; 100: at or over it);
                          a customer with any cost against a budget of 0 is always listed
  --csv                   print CSV instead of a table (not with --json)`,
  },
  parse(words) {
    const { json } = words.settings;
    if (words.flag('csv') && json)
      throw new CommandLineError('--csv and --json both name the output: pass one', 'report');
    const format: ReportFormat = words.flag('csv') ? 'csv' : json ? 'json' : 'table';
    return { ...overPercent(words.text('over')), format };
  },
  async run({ overPercent, format }, context) {
    const { client } = context.connect();
    const records = await client.listCustomerUsageRecords(context.callOptions);
    const everyone = worstFirst(records.map(rowOfRecord));
    const rows = overPercent === undefined ? everyone : atOrOver(everyone, overPercent);
    if (format === 'json') context.write(reportLines(rows));
    else if (format === 'csv') context.write(reportCsv(rows));
    else context.write(reportTable(rows, everyone.length, overPercent, context.style));
    return ExitCode.ok;
  },
};

function overPercent(text: string | undefined): { overPercent?: number } {
  if (text === undefined) return {};
  if (!PERCENT.test(text.trim())) {
    throw new CommandLineError(`--over takes a percentage of the budget such as 80 or 100 (got "${text}")`, 'report');
  }
  return { overPercent: Number(text) };
}

/** `report --json`: one line a customer, worst first. */
export function reportLines(rows: readonly UsageRow[]): string {
  return rows.map((row) => jsonLine(rowRecord(row))).join('');
}

/**
 * `report --csv`: a header line, then a line a customer, safe to open in a spreadsheet (see
 * `spreadsheetCsv`: company names are third-party text). `budget` is empty when there is none,
 * `cost` exact: the file `usagebudget apply` reads.
 */
export function reportCsv(rows: readonly UsageRow[]): string {
  return spreadsheetCsv(
    REPORT_COLUMNS,
    rows.map((row) => ({ ...row, budget: budgetCell(row.budget) })),
  );
}

/** `report`: an aligned table, worst first (colours by standing), then what it shows of how many. */
export function reportTable(
  rows: readonly UsageRow[],
  total: number,
  overPercent: number | undefined,
  s: Style,
): string {
  const shown =
    overPercent === undefined
      ? `${plural(total, 'customer')} with usage`
      : `${rows.length} of ${plural(total, 'customer')} with usage at or over ${overPercent} % of their budget`;
  const over = rows.filter((row) => standing(row) === 'over').length;
  return `${rows.length > 0 ? usageListing(rows, s) : ''}${shown}; ${over} over budget\n`;
}

/** Customers' usage rows as `report` lists them (and `listen`, the customers an alert is about): coloured by standing. */
export function usageListing(rows: readonly UsageRow[], s: Style): string {
  const columns: Column<UsageRow>[] = [
    { title: 'Customer ID', cell: (row) => row.customerId },
    { title: 'Name', cell: (row) => row.customerName },
    { title: 'Budget', cell: (row) => (row.budget === null ? 'no budget' : formatAmount(row.budget)), right: true },
    { title: 'Cost', cell: (row) => roundDecimal(row.cost, 2), right: true },
    { title: 'Currency', cell: (row) => row.currency },
    { title: 'Used', cell: percentText, right: true },
  ];
  return listing(columns, rows, s, paintStanding(s));
}
